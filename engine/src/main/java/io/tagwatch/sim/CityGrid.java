package io.tagwatch.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Readers at the junctions of a square road grid, {@value #BLOCK_M} m apart, around a city
 * centre, in four districts by quadrant. Deterministic: the same count gives the same city.
 * Immutable and thread-safe.
 */
public final class CityGrid {
    /** Road length between two neighbouring junctions, metres. */
    public static final double BLOCK_M = 300;
    private static final double CENTRE_LAT = 52.3676;
    private static final double CENTRE_LON = 4.9041;
    private static final double METRES_PER_DEG_LAT = 111_195;
    private static final double STEP_LAT = BLOCK_M / METRES_PER_DEG_LAT;
    private static final double STEP_LON = BLOCK_M / (METRES_PER_DEG_LAT * Math.cos(Math.toRadians(CENTRE_LAT)));

    private final List<SimReader> readers;
    private final int side;

    public CityGrid(int readerCount) {
        if (readerCount < 1) {
            throw new IllegalArgumentException("readerCount=" + readerCount);
        }
        side = (int) Math.ceil(Math.sqrt(readerCount));
        List<SimReader> list = new ArrayList<>(readerCount);
        for (int i = 0; i < readerCount; i++) {
            int row = i / side;
            int col = i % side;
            String district = (row < side / 2 ? "north" : "south") + "-" + (col < side / 2 ? "west" : "east");
            double lat = CENTRE_LAT + (side / 2.0 - row) * STEP_LAT;
            double lon = CENTRE_LON + (col - side / 2.0) * STEP_LON;
            list.add(new SimReader(String.format("R%03d-%03d", row, col), "Junction " + (row + 1) + "/" + (col + 1),
                    lat, lon, district, row, col));
        }
        readers = List.copyOf(list);
    }

    public List<SimReader> readers() {
        return readers;
    }

    public int side() {
        return side;
    }

    /** The reader at (row, col), or null outside the grid. */
    public SimReader at(int row, int col) {
        if (row < 0 || col < 0 || row >= side || col >= side) {
            return null;
        }
        int i = row * side + col;
        return i < readers.size() ? readers.get(i) : null;
    }

    /** Index of the reader at (row, col), or -1 outside the grid. */
    int indexAt(int row, int col) {
        if (row < 0 || col < 0 || row >= side || col >= side) {
            return -1;
        }
        int i = row * side + col;
        return i < readers.size() ? i : -1;
    }

    /** Blocks to drive from junction {@code a} to {@code b} along the grid. */
    int blocksBetween(int a, int b) {
        return Math.abs(a / side - b / side) + Math.abs(a % side - b % side);
    }
}
