package io.tagwatch.dedup;

import io.tagwatch.read.ReadBatch;
import java.io.DataInput;
import java.io.IOException;
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
 * open another first closes the least recently read of {@value #EVICTION_SAMPLE} open windows
 * (from a hand that moves round the table) as its sighting, early, and takes its place; each
 * such early close is counted in {@link #overflows()}. A pass closed early is at worst split in
 * two sightings; every read is still in exactly one.
 * Window expiry runs on arrival time (the engine's clock), while first/last seen keep the
 * reader's own timestamps.
 *
 * <p>With {@code headroom} (the engine's choice), those early closes need not come on the way to a
 * hit: up to {@code capacity + headroom} windows may be open, and {@link #evictExcess} closes the
 * windows over {@code capacity} when the caller has time (the match thread, when no batch waits).
 * Only a read that finds {@code capacity + headroom} windows open closes one first, as above. The
 * table has room for the headroom (at most 5/8 of its slots in use).
 *
 * <p>Nothing here walks the whole table in one call on the engine's path: {@link #expireSome}
 * sweeps a bounded slice and resumes where it stopped, and a snapshot is copied slice by slice
 * ({@link #startSnapshot}, {@link #continueSnapshot}) while reads keep arriving. The copy stays
 * the state of the moment it started: before any slot not yet copied is changed, its old content
 * is copied first (a per-slot bit says "already copied"), so each window open at the start is
 * copied exactly once and nothing opened later is.
 *
 * <p>Single-threaded: owned by the ingest pipeline thread. Allocates nothing after construction.
 */
public final class DedupWindow {
    private static final long PHI = 0x9E3779B97F4A7C15L;
    private static final int NO_RSSI = ReadBatch.NO_RSSI;
    private static final int SNAPSHOT_V1 = 1;
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
    /** Windows a read may open before it must close one itself: {@code capacity + headroom}. */
    private final int limit;
    private final int mask;
    private final int shift;
    private final long[] table;
    private int open;
    private long overflows;
    private int sweepCursor;
    /** Where {@link #evictOne} looks next. */
    private int evictHand;
    /** Open windows compared for each early close. */
    static final int EVICTION_SAMPLE = 8;
    /** The snapshot being copied, or null; slots below {@code copyCursor} are copied. */
    private WindowSnapshot copy;
    private int copyCursor;
    private final long[] copied; // one bit a slot, for the copy in progress

    public DedupWindow(long windowMs, int capacity) {
        this(windowMs, capacity, 0);
    }

    /**
     * @param headroom windows that may be open beyond {@code capacity} until {@link #evictExcess}
     *                 closes them; at most {@code capacity / 4}
     */
    public DedupWindow(long windowMs, int capacity, int headroom) {
        if (windowMs <= 0 || capacity <= 0 || headroom < 0 || headroom > capacity / 4) {
            throw new IllegalArgumentException("windowMs=" + windowMs + " capacity=" + capacity + " headroom=" + headroom);
        }
        this.windowMs = windowMs;
        this.capacity = capacity;
        this.limit = capacity + headroom;
        int slots = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.mask = slots - 1;
        this.shift = 64 - Integer.numberOfTrailingZeros(slots);
        this.table = new long[slots * STRIDE];
        this.copied = new long[(slots + 63) >>> 6];
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
                if (copy != null) {
                    beforeWrite(s);
                }
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
        if (open >= limit) {
            overflows++;
            evictOne(sink);
            // the back-shift of the removal may have moved windows: find the empty slot of this key again
            s = slot(tag, readerIndex);
            while (t[s * STRIDE + READER] != 0) {
                s = (s + 1) & mask;
            }
        }
        if (copy != null) {
            beforeWrite(s);
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

    /**
     * Loads the slot where a read of (tag, reader) starts looking and returns part of it: called for
     * each read of a batch before {@link #observe}, the loads do not wait on one another, so the
     * cache misses of a batch overlap (the table is tens of MB, a miss per new sighting) instead of
     * coming one after the other inside {@code observe}. The caller keeps the sum of the results
     * somewhere, so the loads are not optimised away.
     */
    public long touch(long tag, int readerIndex) {
        return table[slot(tag, readerIndex) * STRIDE + READER];
    }

    /** Windows open beyond {@code capacity}: what {@link #evictExcess} has to close. */
    public int excess() {
        return Math.max(0, open - capacity);
    }

    /**
     * Closes up to {@code max} of the windows open beyond {@code capacity}, each the least recently
     * read of {@value #EVICTION_SAMPLE} from the hand, as a read finding the table full would have.
     *
     * @return how many it closed
     */
    public int evictExcess(int max, SightingSink sink) {
        int n = Math.min(max, excess());
        for (int i = 0; i < n; i++) {
            overflows++;
            evictOne(sink);
        }
        return n;
    }

    /** Closes every window whose last read arrived at or before {@code now - window}. */
    public int expire(long now, SightingSink sink) {
        return expireFrom(0, mask + 1, now, sink);
    }

    /**
     * Closes the expired windows (as {@link #expire}) among the next {@code maxSlots} slots of the
     * table, resuming where the previous call stopped and starting over after the last slot:
     * calls whose {@code maxSlots} add up to {@link #slots()} cover the whole table. A slot is
     * looked at again after a close (the back-shift may move a window into it), so a call does
     * {@code maxSlots} steps plus one per window it closes.
     */
    public int expireSome(long now, int maxSlots, SightingSink sink) {
        return expireFrom(sweepCursor, maxSlots, now, sink);
    }

    /** Walks {@code steps} slots from {@code start}, wrapping; leaves {@code sweepCursor} where it stopped. */
    private int expireFrom(int start, int steps, long now, SightingSink sink) {
        final long cutoff = now - windowMs;
        final long[] t = table;
        final int slots = mask + 1;
        int closed = 0;
        int i = start;
        for (int budget = steps; budget > 0; ) {
            int b = i * STRIDE;
            if (t[b + READER] != 0 && t[b + ARRIVAL] <= cutoff) {
                emit(b, sink);
                remove(i);
                closed++;
                // the back-shift may have moved another window into slot i: look again
            } else {
                budget--;
                if (++i == slots) {
                    i = 0;
                }
            }
        }
        sweepCursor = i;
        return closed;
    }

    /** Slots in the table: what one full pass of {@link #expireSome} or a snapshot walks. */
    public int slots() {
        return mask + 1;
    }

    /** Closes every open window (orderly shutdown). */
    public int closeAll(SightingSink sink) {
        return expire(Long.MAX_VALUE, sink);
    }

    /**
     * Starts copying the open windows into {@code into}; {@link #continueSnapshot} does the work.
     * From here until the copy completes, every change to the table first preserves what it changes.
     */
    public void startSnapshot(WindowSnapshot into) {
        if (copy != null) {
            throw new IllegalStateException("a snapshot is already being copied");
        }
        into.reset(windowMs, open, limit);
        java.util.Arrays.fill(copied, 0L);
        copy = into;
        copyCursor = 0;
    }

    /**
     * Copies the next {@code maxSlots} slots of the snapshot in progress.
     *
     * @return true when the snapshot is complete (then no copy is in progress any more)
     */
    public boolean continueSnapshot(int maxSlots) {
        if (copy == null) {
            throw new IllegalStateException("no snapshot in progress");
        }
        int end = (int) Math.min((long) copyCursor + maxSlots, mask + 1L);
        for (int s = copyCursor; s < end; s++) {
            copySlot(s);
        }
        copyCursor = end;
        if (end <= mask) {
            return false;
        }
        copy.complete();
        copy = null;
        return true;
    }

    /** True while a snapshot is being copied. */
    public boolean snapshotInProgress() {
        return copy != null;
    }

    private void beforeWrite(int s) {
        if (s >= copyCursor) {
            copySlot(s);
        }
    }

    private void copySlot(int s) {
        long bit = 1L << s;
        int w = s >>> 6;
        if ((copied[w] & bit) != 0) {
            return;
        }
        copied[w] |= bit;
        final long[] t = table;
        int b = s * STRIDE;
        if (t[b + READER] != 0) {
            copy.add(t[b + TAG], (int) t[b + READER] - 1, t[b + FIRST], t[b + LAST], t[b + ARRIVAL], t[b + COUNT], t[b + BEST]);
        }
    }

    /**
     * Restores windows written by {@link WindowSnapshot#writeTo} (or by the version 1 form of
     * earlier releases) into this empty window. A window whose reader is unknown now
     * ({@code indexOf} answers -1), or that finds the window full, is closed into the sink at once.
     *
     * @return how many windows were restored
     */
    public int readSnapshot(DataInput in, ToIntFunction<String> indexOf, SightingSink unknownReaders) throws IOException {
        if (open != 0 || copy != null) {
            throw new IllegalStateException("restore into a window with open=" + open);
        }
        int version = in.readInt();
        if (version != SNAPSHOT_V1 && version != WindowSnapshot.VERSION) {
            throw new IOException("dedup snapshot version " + version + " is not " + SNAPSHOT_V1 + " or "
                    + WindowSnapshot.VERSION);
        }
        in.readLong(); // the window time then; today's configuration applies
        java.util.Map<Integer, Integer> readerMap = new java.util.HashMap<>();
        if (version == WindowSnapshot.VERSION) {
            int readers = in.readInt();
            for (int k = 0; k < readers; k++) {
                int saved = in.readInt();
                byte[] id = new byte[in.readUnsignedShort()];
                in.readFully(id);
                readerMap.put(saved, indexOf.applyAsInt(new String(id, java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        int n = in.readInt();
        int restored = 0;
        for (int i = 0; i < n; i++) {
            long tag = in.readLong();
            int reader = version == SNAPSHOT_V1 ? indexOf.applyAsInt(in.readUTF()) : readerMap.getOrDefault(in.readInt(), -1);
            long first = in.readLong();
            long last = in.readLong();
            long arrival = in.readLong();
            int count = in.readInt();
            int best = in.readInt();
            if (reader < 0 || open >= limit) {
                unknownReaders.closed(tag, Math.max(reader, 0), first, last, count, best);
                continue;
            }
            insertRestored(tag, reader, first, last, arrival, count, best);
            restored++;
        }
        return restored;
    }

    private void insertRestored(long tag, int reader, long first, long last, long arrival, int count, int best) {
        final long[] t = table;
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
    }

    public int openWindows() {
        return open;
    }

    /** Windows closed early because the table was full: when a new one had to open, or by {@link #evictExcess}. */
    public long overflows() {
        return overflows;
    }

    private void emit(int b, SightingSink sink) {
        final long[] t = table;
        sink.closed(t[b + TAG], (int) t[b + READER] - 1, t[b + FIRST], t[b + LAST], (int) t[b + COUNT], (int) t[b + BEST]);
    }

    /**
     * Closes one open window early to make room: of the next {@value #EVICTION_SAMPLE} open windows
     * from the eviction hand, the one whose last read arrived first (a pass long over, most likely,
     * rather than one still being read).
     */
    private void evictOne(SightingSink sink) {
        final long[] t = table;
        int i = evictHand;
        int oldest = -1;
        int sample = Math.min(EVICTION_SAMPLE, open);
        for (int seen = 0; seen < sample; i = (i + 1) & mask) {
            if (t[i * STRIDE + READER] != 0) {
                if (oldest < 0 || t[i * STRIDE + ARRIVAL] < t[oldest * STRIDE + ARRIVAL]) {
                    oldest = i;
                }
                seen++;
            }
        }
        evictHand = i;
        emit(oldest * STRIDE, sink);
        remove(oldest);
    }

    private void remove(int hole) {
        final long[] t = table;
        if (copy != null) {
            beforeWrite(hole);
        }
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
                if (copy != null) {
                    beforeWrite(j);
                }
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
