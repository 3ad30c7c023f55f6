package io.tagwatch.read;

/**
 * One reader's batch of tag reads, held column-wise in primitive arrays so the hot path
 * (decode, dedup, match) touches no per-read object.
 *
 * <p>A batch is filled by {@link ReadPayloadDecoder}, then owned by exactly one thread at a
 * time: the event loop that decoded it hands it to the ingest pipeline and never touches it
 * again. Not thread-safe.
 */
public final class ReadBatch {
    /** Sentinel for an absent timestamp: the receive time is used instead. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;
    /** Sentinel for an absent rssi. */
    public static final int NO_RSSI = Integer.MIN_VALUE;
    /** Sentinel for an absent antenna number. */
    public static final int NO_ANTENNA = -1;

    private long[] tags;
    private long[] timestamps;
    private int[] rssis;
    private int[] antennas;
    private int size;

    private String readerId;
    private int readerIndex = -1;
    private long receivedAt;
    /** System.nanoTime() when the batch arrived and when the journal handed it on; 0 = not stamped (a replay). */
    private long arrivalNanos;
    private long journaledNanos;

    public ReadBatch(int initialCapacity) {
        int capacity = Math.max(1, initialCapacity);
        tags = new long[capacity];
        timestamps = new long[capacity];
        rssis = new int[capacity];
        antennas = new int[capacity];
    }

    /** Empties the batch, keeping its arrays. */
    public void clear() {
        size = 0;
        readerId = null;
        readerIndex = -1;
        receivedAt = 0L;
        arrivalNanos = 0L;
        journaledNanos = 0L;
    }

    /** Stamps the moment the batch arrived (live batches only), for the alert's stage timings. */
    public void arrivedAt(long nanos) {
        arrivalNanos = nanos;
    }

    /** Stamps the moment the journal handed the batch on to matching. */
    public void journaledAt(long nanos) {
        journaledNanos = nanos;
    }

    /** System.nanoTime() of the batch's arrival, or 0 for a batch replayed from the journal. */
    public long arrivalNanos() {
        return arrivalNanos;
    }

    /** System.nanoTime() when the journal handed the batch on, or 0. */
    public long journaledNanos() {
        return journaledNanos;
    }

    /** Appends one read; grows the arrays when full (decoders bound the count beforehand). */
    public void add(long tag, long timestamp, int rssi, int antenna) {
        if (size == tags.length) {
            grow();
        }
        tags[size] = tag;
        timestamps[size] = timestamp;
        rssis[size] = rssi;
        antennas[size] = antenna;
        size++;
    }

    /** Makes room for {@code capacity} reads without growing during {@link #add}. */
    public void ensureCapacity(int capacity) {
        if (capacity > tags.length) {
            tags = java.util.Arrays.copyOf(tags, capacity);
            timestamps = java.util.Arrays.copyOf(timestamps, capacity);
            rssis = java.util.Arrays.copyOf(rssis, capacity);
            antennas = java.util.Arrays.copyOf(antennas, capacity);
        }
    }

    /** Drops the reads added since the batch held {@code newSize} reads. */
    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IllegalArgumentException("newSize=" + newSize + " size=" + size);
        }
        size = newSize;
    }

    public int size() {
        return size;
    }

    public long tag(int i) {
        return tags[i];
    }

    /** Reader's clock in epoch ms, or {@link #NO_TIMESTAMP} before {@link #resolveTimes} ran. */
    public long timestamp(int i) {
        return timestamps[i];
    }

    public int rssi(int i) {
        return rssis[i];
    }

    public int antenna(int i) {
        return antennas[i];
    }

    public String readerId() {
        return readerId;
    }

    /** Dense index of the reader, assigned by the registry; -1 when not set. */
    public int readerIndex() {
        return readerIndex;
    }

    public long receivedAt() {
        return receivedAt;
    }

    /** The reader's time of the newest read (Long.MIN_VALUE when empty). */
    public long newestTimestamp() {
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < size; i++) {
            newest = Math.max(newest, timestamps[i]);
        }
        return newest;
    }

    public void source(String readerId, int readerIndex, long receivedAt) {
        this.readerId = readerId;
        this.readerIndex = readerIndex;
        this.receivedAt = receivedAt;
    }

    /**
     * Replaces absent timestamps by the receive time and removes, in place and in order,
     * every read stamped more than {@code maxFutureMs} after the receive time or more than
     * {@code maxAgeMs} before it.
     *
     * @return how many reads were dropped
     */
    public int resolveTimes(long maxFutureMs, long maxAgeMs) {
        long newest = receivedAt + maxFutureMs;
        long oldest = receivedAt - maxAgeMs;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            long ts = timestamps[i];
            if (ts == NO_TIMESTAMP) {
                ts = receivedAt;
            }
            if (ts > newest || ts < oldest) {
                continue;
            }
            tags[kept] = tags[i];
            timestamps[kept] = ts;
            rssis[kept] = rssis[i];
            antennas[kept] = antennas[i];
            kept++;
        }
        int dropped = size - kept;
        size = kept;
        return dropped;
    }

    private void grow() {
        int capacity = tags.length * 2;
        tags = java.util.Arrays.copyOf(tags, capacity);
        timestamps = java.util.Arrays.copyOf(timestamps, capacity);
        rssis = java.util.Arrays.copyOf(rssis, capacity);
        antennas = java.util.Arrays.copyOf(antennas, capacity);
    }
}
