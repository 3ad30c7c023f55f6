package io.tagwatch.dedup;

import io.tagwatch.read.ReadBatch;

/**
 * Turns reads into sightings: one open window per (tag, reader) that collects first and
 * last time, read count and best rssi, and closes when no read of that pair has arrived for
 * the window time. The first read of a window is reported at once ({@link #observe} returns
 * true) so a hit never waits for the window to close.
 *
 * <p>Open addressing with linear probing over primitive arrays; deletions shift back so no
 * tombstones accumulate. Bounded: when {@code capacity} windows are open, a read that would
 * open another is emitted as a one-read sighting at once and counted in {@link #overflows()}.
 * Window expiry runs on arrival time (the engine's clock), while first/last seen keep the
 * reader's own timestamps.
 *
 * <p>Single-threaded: owned by the ingest pipeline thread. Allocates nothing after construction.
 */
public final class DedupWindow {
    private static final long PHI = 0x9E3779B97F4A7C15L;
    private static final int NO_RSSI = ReadBatch.NO_RSSI;

    private final long windowMs;
    private final int capacity;
    private final int mask;
    private final int shift;
    private final long[] tags;
    private final int[] readers; // readerIndex + 1; 0 = empty slot
    private final long[] firstSeen;
    private final long[] lastSeen;
    private final long[] lastArrival;
    private final int[] counts;
    private final int[] bestRssi;
    private int open;
    private long overflows;

    public DedupWindow(long windowMs, int capacity) {
        if (windowMs <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("windowMs=" + windowMs + " capacity=" + capacity);
        }
        this.windowMs = windowMs;
        this.capacity = capacity;
        int slots = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.mask = slots - 1;
        this.shift = 64 - Integer.numberOfTrailingZeros(slots);
        tags = new long[slots];
        readers = new int[slots];
        firstSeen = new long[slots];
        lastSeen = new long[slots];
        lastArrival = new long[slots];
        counts = new int[slots];
        bestRssi = new int[slots];
    }

    /**
     * Adds one read.
     *
     * @return true when this read opened a new sighting (the moment to match it)
     */
    public boolean observe(long tag, int readerIndex, long timestamp, int rssi, long arrival, SightingSink sink) {
        final int key = readerIndex + 1;
        int s = slot(tag, readerIndex);
        int r;
        while ((r = readers[s]) != 0) {
            if (r == key && tags[s] == tag) {
                if (timestamp < firstSeen[s]) {
                    firstSeen[s] = timestamp;
                }
                if (timestamp > lastSeen[s]) {
                    lastSeen[s] = timestamp;
                }
                if (rssi != NO_RSSI && (bestRssi[s] == NO_RSSI || rssi > bestRssi[s])) {
                    bestRssi[s] = rssi;
                }
                counts[s]++;
                if (arrival > lastArrival[s]) {
                    lastArrival[s] = arrival;
                }
                return false;
            }
            s = (s + 1) & mask;
        }
        if (open >= capacity) {
            overflows++;
            sink.closed(tag, readerIndex, timestamp, timestamp, 1, rssi);
            return true;
        }
        tags[s] = tag;
        readers[s] = key;
        firstSeen[s] = timestamp;
        lastSeen[s] = timestamp;
        lastArrival[s] = arrival;
        counts[s] = 1;
        bestRssi[s] = rssi;
        open++;
        return true;
    }

    /** Closes every window whose last read arrived at or before {@code now - window}. */
    public int expire(long now, SightingSink sink) {
        final long cutoff = now - windowMs;
        int closed = 0;
        int i = 0;
        while (i <= mask) {
            if (readers[i] != 0 && lastArrival[i] <= cutoff) {
                emit(i, sink);
                remove(i);
                closed++;
                // the back-shift may have moved another window into slot i: look again
            } else {
                i++;
            }
        }
        return closed;
    }

    /** Closes every open window (orderly shutdown). */
    public int closeAll(SightingSink sink) {
        return expire(Long.MAX_VALUE, sink);
    }

    public int openWindows() {
        return open;
    }

    /** Reads that found the window full and became one-read sightings. */
    public long overflows() {
        return overflows;
    }

    private void emit(int s, SightingSink sink) {
        sink.closed(tags[s], readers[s] - 1, firstSeen[s], lastSeen[s], counts[s], bestRssi[s]);
    }

    private void remove(int hole) {
        readers[hole] = 0;
        open--;
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            if (readers[j] == 0) {
                return;
            }
            int home = slot(tags[j], readers[j] - 1);
            // move j back into the hole when its home is not cyclically in (hole, j]
            boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!stays) {
                tags[hole] = tags[j];
                readers[hole] = readers[j];
                firstSeen[hole] = firstSeen[j];
                lastSeen[hole] = lastSeen[j];
                lastArrival[hole] = lastArrival[j];
                counts[hole] = counts[j];
                bestRssi[hole] = bestRssi[j];
                readers[j] = 0;
                hole = j;
            }
        }
    }

    private int slot(long tag, int readerIndex) {
        long h = (tag + (long) readerIndex * 0xC2B2AE3D27D4EB4FL) * PHI;
        return (int) (h >>> shift);
    }
}
