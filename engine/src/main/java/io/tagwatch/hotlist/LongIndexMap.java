package io.tagwatch.hotlist;

/**
 * Immutable open-addressing map from a 64-bit tag to a dense index, built once and then
 * read by any thread without locks or allocation. Linear probing at a load factor of at
 * most one half keeps probes short.
 */
final class LongIndexMap {
    private static final long PHI = 0x9E3779B97F4A7C15L;

    private final long[] keys;
    private final int[] slots; // index + 1; 0 = empty
    private final int mask;
    private final int shift;

    LongIndexMap(long[] tags, int count) {
        int capacity = Integer.highestOneBit(Math.max(4, count * 2 - 1)) << 1;
        keys = new long[capacity];
        slots = new int[capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        for (int i = 0; i < count; i++) {
            int s = slot(tags[i]);
            while (slots[s] != 0 && keys[s] != tags[i]) {
                s = (s + 1) & mask;
            }
            keys[s] = tags[i];
            slots[s] = i + 1;
        }
    }

    /** The index stored for the tag, or -1. */
    int get(long tag) {
        final long[] k = keys;
        final int[] v = slots;
        int s = slot(tag);
        int idx;
        while ((idx = v[s]) != 0) {
            if (k[s] == tag) {
                return idx - 1;
            }
            s = (s + 1) & mask;
        }
        return -1;
    }

    private int slot(long tag) {
        return (int) ((tag * PHI) >>> shift);
    }
}
