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

    private final int capacity;
    private final int mask;
    private final int shift;
    private final long[] tags;
    private final int[] readers; // reader index + 1; 0 = empty
    private final long[] times;
    private int size;
    private long resets;

    LastSeenTable(int capacity) {
        this.capacity = capacity;
        int slots = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        mask = slots - 1;
        shift = 64 - Integer.numberOfTrailingZeros(slots);
        tags = new long[slots];
        readers = new int[slots];
        times = new long[slots];
    }

    /**
     * Records (reader, time) for the tag and returns the reader it was seen at before, or -1;
     * the time of that sighting is then in {@link #previousTime}.
     */
    int put(long tag, int readerIndex, long time) {
        int s = (int) ((tag * PHI) >>> shift);
        while (readers[s] != 0) {
            if (tags[s] == tag) {
                int previous = readers[s] - 1;
                previousTime = times[s];
                readers[s] = readerIndex + 1;
                times[s] = time;
                return previous;
            }
            s = (s + 1) & mask;
        }
        if (size >= capacity) {
            java.util.Arrays.fill(readers, 0);
            size = 0;
            resets++;
            org.slf4j.LoggerFactory.getLogger(LastSeenTable.class).warn(
                    "cloned-tag check: {} tags tracked, the limit; starting afresh (reset {})", capacity, resets);
            return put(tag, readerIndex, time);
        }
        tags[s] = tag;
        readers[s] = readerIndex + 1;
        times[s] = time;
        size++;
        previousTime = ABSENT;
        return -1;
    }

    /** The time of the previous entry returned by the last {@link #put} (valid when it returned ≥ 0). */
    long previousTime;

    long resets() {
        return resets;
    }
}
