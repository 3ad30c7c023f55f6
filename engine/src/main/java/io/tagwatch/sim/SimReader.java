package io.tagwatch.sim;

/** A simulated reader at a junction of the road grid. */
public record SimReader(String id, String name, double lat, double lon, String district, int row, int col) {
}
