package io.tagwatch.sim;

import java.util.SplittableRandom;

/**
 * The reads a reader takes of one pass: three to six reads spread over one to two seconds
 * around the moment the vehicle is nearest the pole, the rssi rising to a peak and falling
 * again; antenna 1 sees it coming, antenna 2 going. Deterministic for (seed, pass).
 */
public record Burst(int[] offsetsMs, int[] rssi, int[] antenna) {
    static final int MIN_READS = 3;
    static final int MAX_READS = 6;
    static final int MIN_SPAN_MS = 1_000;
    static final int MAX_SPAN_MS = 2_000;

    public static Burst of(Pass p, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ (p.vehicle() * 0x9E3779B97F4A7C15L) ^ (p.reader() * 0xC2B2AE3D27D4EB4FL)
                ^ p.time());
        int n = MIN_READS + r.nextInt(MAX_READS - MIN_READS + 1);
        int span = MIN_SPAN_MS + r.nextInt(MAX_SPAN_MS - MIN_SPAN_MS + 1);
        int peak = -45 - r.nextInt(15);
        int[] offsets = new int[n];
        int[] rssi = new int[n];
        int[] ant = new int[n];
        for (int k = 0; k < n; k++) {
            int off = -span / 2 + (int) ((long) span * k / (n - 1));
            double x = off / (span / 2.0); // -1 .. 1, 0 nearest the pole
            offsets[k] = off;
            rssi[k] = peak - (int) Math.round(28 * x * x) - r.nextInt(3);
            ant[k] = off < 0 ? 1 : 2;
        }
        return new Burst(offsets, rssi, ant);
    }

    public int size() {
        return offsetsMs.length;
    }
}
