package io.tagwatch.ingest;

/**
 * Where each tag was last seen: reader index and the reader's timestamp, for the cloned-tag
 * check. Open addressing over primitive arrays; bounded: when {@code capacity} tags are held it
 * starts afresh (counted), which can only miss a cloned tag, never invent one.
 *
 * <p>Single-threaded: owned by the match thread. Allocates nothing after construction.
 */
final class LastSeenTable {
    private static final long PHI = 0x9E3779B97F4A7C15L;
    static final long ABSENT = Long.MIN_VALUE;
    /** Reader times are kept in the low 44 bits (epoch ms to the year 2527), the reader index + 1 above. */
    private static final int TIME_BITS = 44;
    private static final long TIME_MASK = (1L << TIME_BITS) - 1;

    private final int capacity;
    private final int mask;
    private final int shift;
    /**
     * Slot {@code s} is {@code table[2s]} = tag, {@code table[2s+1]} = (reader index + 1) << 44 | time,
     * 0 when empty: one cache line per look-up, where three arrays took up to three misses (a
     * sixth of the match thread's time under the batch load, JFR).
     */
    private final long[] table;
    private int size;
    private long resets;

    LastSeenTable(int capacity) {
        this.capacity = capacity;
        int slots = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        mask = slots - 1;
        shift = 64 - Integer.numberOfTrailingZeros(slots);
        table = new long[slots * 2];
    }

    /**
     * Records (reader, time) for the tag and returns the reader it was seen at before, or -1;
     * the time of that sighting is then in {@link #previousTime}. A time outside
     * [0, 2^44) ms is kept clamped to that range.
     */
    int put(long tag, int readerIndex, long time) {
        long entry = ((long) (readerIndex + 1) << TIME_BITS) | Math.max(0, Math.min(TIME_MASK, time));
        int s = home(tag);
        long held;
        while ((held = table[2 * s + 1]) != 0) {
            if (table[2 * s] == tag) {
                previousTime = held & TIME_MASK;
                table[2 * s + 1] = entry;
                return (int) (held >>> TIME_BITS) - 1;
            }
            s = (s + 1) & mask;
        }
        if (size >= capacity) {
            java.util.Arrays.fill(table, 0);
            size = 0;
            resets++;
            org.slf4j.LoggerFactory.getLogger(LastSeenTable.class).warn(
                    "cloned-tag check: {} tags tracked, the limit; starting afresh (reset {})", capacity, resets);
            return put(tag, readerIndex, time);
        }
        table[2 * s] = tag;
        table[2 * s + 1] = entry;
        size++;
        previousTime = ABSENT;
        return -1;
    }

    /** Loads the tag's home slot ahead of {@link #put}, as {@link io.tagwatch.dedup.DedupWindow#touch}. */
    long touch(long tag) {
        return table[2 * home(tag) + 1];
    }

    private int home(long tag) {
        return (int) ((tag * PHI) >>> shift);
    }

    /** The time of the previous entry returned by the last {@link #put} (valid when it returned ≥ 0). */
    long previousTime;

    long resets() {
        return resets;
    }
}
