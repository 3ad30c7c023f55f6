package io.tagwatch.registry;

/**
 * A provisioned reader as the hot path sees it.
 *
 * @param index dense number assigned at load, used as the reader key in the dedup window
 */
public record ReaderInfo(int index, String id, String name, double lat, double lon, String district) {
}
