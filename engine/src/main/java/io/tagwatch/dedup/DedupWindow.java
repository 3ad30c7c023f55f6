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
 * <p>Open addressing with linear probing over one {@code long[]}: each slot is eight longs
 * (64 bytes: tag, reader, first, last, last arrival, count, best rssi, spare), so a probe and
 * an update touch one or two cache lines rather than one per field. Deletions shift back so no
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
    private static final int STRIDE = 8;
    private static final int TAG = 0;
    private static final int READER = 1; // reader index + 1; 0 = empty slot
    private static final int FIRST = 2;
    private static final int LAST = 3;
    private static final int ARRIVAL = 4;
    private static final int COUNT = 5;
    private static final int BEST = 6;

    private final long windowMs;
    private final int capacity;
    private final int mask;
    private final int shift;
    private final long[] table;
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
        this.table = new long[slots * STRIDE];
    }

    /**
     * Adds one read.
     *
     * @return true when this read opened a new sighting (the moment to match it)
     */
    public boolean observe(long tag, int readerIndex, long timestamp, int rssi, long arrival, SightingSink sink) {
        final long[] t = table;
        final long key = readerIndex + 1L;
        int s = slot(tag, readerIndex);
        long r;
        while ((r = t[s * STRIDE + READER]) != 0) {
            int b = s * STRIDE;
            if (r == key && t[b + TAG] == tag) {
                if (arrival - t[b + ARRIVAL] >= windowMs) {
                    // expired but not yet swept: close it now so the result does not depend on sweep timing
                    emit(b, sink);
                    t[b + FIRST] = timestamp;
                    t[b + LAST] = timestamp;
                    t[b + ARRIVAL] = arrival;
                    t[b + COUNT] = 1;
                    t[b + BEST] = rssi;
                    return true;
                }
                if (timestamp < t[b + FIRST]) {
                    t[b + FIRST] = timestamp;
                }
                if (timestamp > t[b + LAST]) {
                    t[b + LAST] = timestamp;
                }
                long best = t[b + BEST];
                if (rssi != NO_RSSI && (best == NO_RSSI || rssi > best)) {
                    t[b + BEST] = rssi;
                }
                t[b + COUNT]++;
                if (arrival > t[b + ARRIVAL]) {
                    t[b + ARRIVAL] = arrival;
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
        int b = s * STRIDE;
        t[b + TAG] = tag;
        t[b + READER] = key;
        t[b + FIRST] = timestamp;
        t[b + LAST] = timestamp;
        t[b + ARRIVAL] = arrival;
        t[b + COUNT] = 1;
        t[b + BEST] = rssi;
        open++;
        return true;
    }

    /** Closes every window whose last read arrived at or before {@code now - window}. */
    public int expire(long now, SightingSink sink) {
        final long cutoff = now - windowMs;
        final long[] t = table;
        int closed = 0;
        int i = 0;
        while (i <= mask) {
            int b = i * STRIDE;
            if (t[b + READER] != 0 && t[b + ARRIVAL] <= cutoff) {
                emit(b, sink);
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
        final long[] t = table;
        for (int s = 0; s <= mask; s++) {
            int b = s * STRIDE;
            if (t[b + READER] == 0) {
                continue;
            }
            out.writeLong(t[b + TAG]);
            out.writeUTF(readerIdOf.apply((int) t[b + READER] - 1));
            out.writeLong(t[b + FIRST]);
            out.writeLong(t[b + LAST]);
            out.writeLong(t[b + ARRIVAL]);
            out.writeInt((int) t[b + COUNT]);
            out.writeInt((int) t[b + BEST]);
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
        final long[] t = table;
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
            while (t[s * STRIDE + READER] != 0) {
                s = (s + 1) & mask;
            }
            int b = s * STRIDE;
            t[b + TAG] = tag;
            t[b + READER] = reader + 1L;
            t[b + FIRST] = first;
            t[b + LAST] = last;
            t[b + ARRIVAL] = arrival;
            t[b + COUNT] = count;
            t[b + BEST] = best;
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

    private void emit(int b, SightingSink sink) {
        final long[] t = table;
        sink.closed(t[b + TAG], (int) t[b + READER] - 1, t[b + FIRST], t[b + LAST], (int) t[b + COUNT], (int) t[b + BEST]);
    }

    private void remove(int hole) {
        final long[] t = table;
        t[hole * STRIDE + READER] = 0;
        open--;
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            int jb = j * STRIDE;
            if (t[jb + READER] == 0) {
                return;
            }
            int home = slot(t[jb + TAG], (int) t[jb + READER] - 1);
            // move j back into the hole when its home is not cyclically in (hole, j]
            boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!stays) {
                System.arraycopy(t, jb, t, hole * STRIDE, STRIDE);
                t[jb + READER] = 0;
                hole = j;
            }
        }
    }

    private int slot(long tag, int readerIndex) {
        long h = (tag + (long) readerIndex * 0xC2B2AE3D27D4EB4FL) * PHI;
        return (int) (h >>> shift);
    }
}
