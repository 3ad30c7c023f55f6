package io.tagwatch.dedup;

import io.tagwatch.read.ReadBatch;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

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
    private static final int SNAPSHOT_VERSION = 1;

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
                if (arrival - lastArrival[s] >= windowMs) {
                    // expired but not yet swept: close it now so the result does not depend on sweep timing
                    emit(s, sink);
                    firstSeen[s] = timestamp;
                    lastSeen[s] = timestamp;
                    lastArrival[s] = arrival;
                    counts[s] = 1;
                    bestRssi[s] = rssi;
                    return true;
                }
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

    /**
     * Writes every open window (the state a checkpoint must carry). Readers are written by id,
     * since reader indexes are assigned anew at each start.
     */
    public void writeSnapshot(DataOutput out, IntFunction<String> readerIdOf) throws IOException {
        out.writeInt(SNAPSHOT_VERSION);
        out.writeLong(windowMs);
        out.writeInt(open);
        for (int s = 0; s <= mask; s++) {
            if (readers[s] == 0) {
                continue;
            }
            out.writeLong(tags[s]);
            out.writeUTF(readerIdOf.apply(readers[s] - 1));
            out.writeLong(firstSeen[s]);
            out.writeLong(lastSeen[s]);
            out.writeLong(lastArrival[s]);
            out.writeInt(counts[s]);
            out.writeInt(bestRssi[s]);
        }
    }

    /**
     * Restores windows written by {@link #writeSnapshot} into this empty window. A window whose
     * reader is unknown now ({@code indexOf} answers -1) is closed into the sink at once.
     *
     * @return how many windows were restored
     */
    public int readSnapshot(DataInput in, ToIntFunction<String> indexOf, SightingSink unknownReaders) throws IOException {
        if (open != 0) {
            throw new IllegalStateException("restore into a window with open=" + open);
        }
        int version = in.readInt();
        if (version != SNAPSHOT_VERSION) {
            throw new IOException("dedup snapshot version " + version + " is not " + SNAPSHOT_VERSION);
        }
        in.readLong(); // the window time then; today's configuration applies
        int n = in.readInt();
        int restored = 0;
        for (int i = 0; i < n; i++) {
            long tag = in.readLong();
            int reader = indexOf.applyAsInt(in.readUTF());
            long first = in.readLong();
            long last = in.readLong();
            long arrival = in.readLong();
            int count = in.readInt();
            int best = in.readInt();
            if (reader < 0 || open >= capacity) {
                unknownReaders.closed(tag, Math.max(reader, 0), first, last, count, best);
                continue;
            }
            int s = slot(tag, reader);
            while (readers[s] != 0) {
                s = (s + 1) & mask;
            }
            tags[s] = tag;
            readers[s] = reader + 1;
            firstSeen[s] = first;
            lastSeen[s] = last;
            lastArrival[s] = arrival;
            counts[s] = count;
            bestRssi[s] = best;
            open++;
            restored++;
        }
        return restored;
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
