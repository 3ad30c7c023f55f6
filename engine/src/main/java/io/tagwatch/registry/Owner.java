package io.tagwatch.registry;

/** A vehicle owner: a person reached by phone. */
public record Owner(long id, String name, String phone) {
}
