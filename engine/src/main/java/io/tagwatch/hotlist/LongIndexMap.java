package io.tagwatch.hotlist;

/**
 * Immutable open-addressing map from a 64-bit tag to a dense index, built once and then read by
 * any thread without locks or allocation. Key and value sit side by side in one {@code long[]}
 * (slot s: key at 2s, index + 1 at 2s + 1), so a probe costs one cache line, not one per array;
 * linear probing at a load factor of at most one half keeps probes short.
 */
final class LongIndexMap {
    private static final long PHI = 0x9E3779B97F4A7C15L;

    private final long[] table;
    private final int mask;
    private final int shift;

    LongIndexMap(long[] tags, int count) {
        int capacity = Integer.highestOneBit(Math.max(4, count * 2 - 1)) << 1;
        table = new long[capacity * 2];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        for (int i = 0; i < count; i++) {
            int s = slot(tags[i]);
            while (table[2 * s + 1] != 0 && table[2 * s] != tags[i]) {
                s = (s + 1) & mask;
            }
            table[2 * s] = tags[i];
            table[2 * s + 1] = i + 1L;
        }
    }

    /** The index stored for the tag, or -1. */
    int get(long tag) {
        final long[] t = table;
        int s = slot(tag);
        long v;
        while ((v = t[2 * s + 1]) != 0) {
            if (t[2 * s] == tag) {
                return (int) v - 1;
            }
            s = (s + 1) & mask;
        }
        return -1;
    }

    private int slot(long tag) {
        return (int) ((tag * PHI) >>> shift);
    }
}
