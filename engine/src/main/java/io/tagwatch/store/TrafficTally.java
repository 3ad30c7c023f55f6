package io.tagwatch.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * One transaction's reader traffic (sightings and reads per reader and hour) counted from its
 * rows, a stretch at a time: the {@link SightingWriter} counts each chunk's rows as the chunk
 * goes to the database, so the counting is spread over the paced copy ({@link WritePacer})
 * instead of running as one burst after it. Counting all the rows of a 500,000-row checkpoint
 * batch in one pass, by reader id in hash maps, took ~9 ms of one CPU at the end of each COPY
 * (17 ns a row); here a row costs an array index by its reader number (~3.5 ns).
 *
 * <p>Not thread-safe: the writer thread's own, for one transaction.
 */
final class TrafficTally {
    private static final long HOUR_MS = 3_600_000L;

    /** A reader and an hour (hours since the epoch, UTC), in the order rows are upserted. */
    record Key(String reader, long hour) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = reader.compareTo(o.reader);
            return c != 0 ? c : Long.compare(hour, o.hour);
        }
    }

    private final List<SightingRows> batches;
    /** Where counting stands: the next row is row {@link #row} of batch {@link #batch}. */
    private int batch;
    private int row;
    private long counted;
    /** Counts of the numbering being counted, by hour: {sightings, reads} at 2n, 2n + 1 for reader n. */
    private IntFunction<String> numbering;
    private final Map<Long, long[]> byHour = new HashMap<>();
    private long hour = Long.MIN_VALUE;
    private long[] ofHour;
    /** Counts by reader id, for every numbering counted before the current one and, at {@link #counts}, for it. */
    private final TreeMap<Key, long[]> byId = new TreeMap<>();

    /** A tally of the rows of {@code batches}, in order; none counted yet. */
    TrafficTally(List<SightingRows> batches) {
        this.batches = batches;
    }

    /** Counts the rows up to the {@code rows}-th of the batches taken in order (fewer when they hold fewer). */
    void countTo(long rows) {
        while (counted < rows && batch < batches.size()) {
            SightingRows b = batches.get(batch);
            if (row >= b.size()) {
                batch++;
                row = 0;
                continue;
            }
            if (b.readerIds() != numbering) {
                fold();
                numbering = b.readerIds();
            }
            int end = (int) Math.min(b.size(), row + (rows - counted));
            for (int r = row; r < end; r++) {
                long h = Math.floorDiv(b.firstSeen(r), HOUR_MS);
                if (h != hour || ofHour == null) {
                    hour = h;
                    ofHour = byHour.computeIfAbsent(h, k -> new long[64]);
                }
                int at = 2 * b.reader(r);
                if (at + 1 >= ofHour.length) {
                    ofHour = java.util.Arrays.copyOf(ofHour, Math.max(at + 2, ofHour.length * 2));
                    byHour.put(h, ofHour);
                }
                ofHour[at]++;
                ofHour[at + 1] += b.readCount(r);
            }
            counted += end - row;
            row = end;
        }
    }

    /** Counts every row not counted yet. */
    void countAll() {
        countTo(Long.MAX_VALUE);
    }

    /** The rows counted so far. */
    long counted() {
        return counted;
    }

    /** Every reader and hour counted so far with its {sightings, reads}, in key order. */
    TreeMap<Key, long[]> counts() {
        fold();
        return byId;
    }

    /** Moves the current numbering's counts into {@link #byId}, by reader id. */
    private void fold() {
        byHour.forEach((h, counts) -> {
            for (int n = 0; 2 * n < counts.length; n++) {
                if (counts[2 * n] == 0) {
                    continue;
                }
                long[] total = byId.computeIfAbsent(new Key(numbering.apply(n), h), k -> new long[2]);
                total[0] += counts[2 * n];
                total[1] += counts[2 * n + 1];
            }
        });
        byHour.clear();
        ofHour = null;
        hour = Long.MIN_VALUE;
    }
}
