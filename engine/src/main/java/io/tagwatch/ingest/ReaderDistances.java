package io.tagwatch.ingest;

import io.tagwatch.registry.ReaderInfo;

/**
 * Great-circle distances between readers, remembered for the pairs met lately (direct-mapped,
 * {@value #SLOTS} pairs): the cloned-tag check asks for one on nearly every new sighting of a tag
 * last seen elsewhere, and the haversine's trigonometry was 15 % of the match thread's samples
 * under load (JFR, benchmarks/RESULTS.md session 6). A slot holds the two {@link ReaderInfo}
 * records themselves, so a pair answers from the cache only while both readers are unchanged.
 *
 * <p>Single-threaded: the match thread's.
 */
final class ReaderDistances {
    static final int SLOTS = 4096;
    private static final double EARTH_RADIUS_M = 6_371_000;

    private final ReaderInfo[] from = new ReaderInfo[SLOTS];
    private final ReaderInfo[] to = new ReaderInfo[SLOTS];
    private final double[] meters = new double[SLOTS];

    /** Metres from {@code a} to {@code b}. */
    double meters(ReaderInfo a, ReaderInfo b) {
        int slot = (int) (((((long) a.index() << 32) | (b.index() & 0xFFFFFFFFL)) * 0x9E3779B97F4A7C15L) >>> 52);
        if (from[slot] == a && to[slot] == b) {
            return meters[slot];
        }
        double m = haversine(a.lat(), a.lon(), b.lat(), b.lon());
        from[slot] = a;
        to[slot] = b;
        meters[slot] = m;
        return m;
    }

    static double haversine(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lon2 - lon1);
        double h = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
    }
}
