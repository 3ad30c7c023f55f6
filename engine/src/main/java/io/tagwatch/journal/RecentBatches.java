package io.tagwatch.journal;

import java.util.HashMap;
import java.util.Map;

/**
 * The digests of each reader's most recent batches, to recognise a redelivered batch.
 * Owned by the journal's writer thread (and the replay before it starts).
 */
final class RecentBatches {
    private final int perReader;
    private final Map<String, long[]> rings = new HashMap<>();
    private final Map<String, int[]> heads = new HashMap<>();

    RecentBatches(int perReader) {
        this.perReader = perReader;
    }

    /** Whether the reader sent a batch with this digest recently. */
    boolean contains(String readerId, long digest) {
        long[] ring = rings.get(readerId);
        if (ring == null || digest == 0) {
            return false;
        }
        for (long d : ring) {
            if (d == digest) {
                return true;
            }
        }
        return false;
    }

    /** Records the digest; returns false when the reader sent this same batch recently. */
    boolean seen(String readerId, long digest) {
        long[] ring = rings.computeIfAbsent(readerId, k -> new long[perReader]);
        int[] head = heads.computeIfAbsent(readerId, k -> new int[1]);
        for (long d : ring) {
            if (d == digest && digest != 0) {
                return false;
            }
        }
        ring[head[0]] = digest;
        head[0] = (head[0] + 1) % perReader;
        return true;
    }
}
