package io.tagwatch.sim;

import io.tagwatch.registry.VehicleImport;
import java.util.AbstractList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A city's registered two-wheelers, generated from a seed: tag {@code 9F3A000000 + i}
 * (readable, unique), a plate, a kind (70 % e-bikes), brand, colour and owner. Rows are made
 * on demand so 220,000 of them cost no memory until imported.
 */
public final class Fleet {
    static final long FIRST_TAG = 0x9F3A000000L;
    private static final String[] BRANDS = {"Yadea", "Niu", "Aima", "Tailg", "Honda", "Yamaha", "Gazelle", "VanMoof"};
    private static final String[] COLORS = {"black", "white", "red", "blue", "grey", "green", "silver"};

    private final int size;
    private final long seed;

    public Fleet(int size, long seed) {
        this.size = size;
        this.seed = seed;
    }

    public int size() {
        return size;
    }

    public long tag(int i) {
        return FIRST_TAG + i;
    }

    public VehicleImport vehicle(int i) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
        String kind = r.nextInt(10) < 7 ? "ebike" : "motorcycle"; // the draw isEbike repeats
        return new VehicleImport(String.format("%s-%06d", kind.equals("ebike") ? "E" : "M", i), tag(i), kind,
                BRANDS[r.nextInt(BRANDS.length)], COLORS[r.nextInt(COLORS.length)],
                "Owner " + i, String.format("+3160%07d", i));
    }

    /** Whether vehicle {@code i} is registered as an e-bike (else a motorcycle), as {@link #vehicle} says. */
    public boolean isEbike(int i) {
        return new SplittableRandom(seed * 1_000_003L + i).nextInt(10) < 7;
    }

    /** Every vehicle as an import row, generated lazily. */
    public List<VehicleImport> rows() {
        return new AbstractList<>() {
            @Override
            public VehicleImport get(int i) {
                return vehicle(i);
            }

            @Override
            public int size() {
                return size;
            }
        };
    }
}
