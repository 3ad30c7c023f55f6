package io.tagwatch.dedup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.function.IntFunction;

/**
 * The open windows of a {@link DedupWindow} at one moment, copied slice by slice by
 * {@link DedupWindow#startSnapshot} / {@link DedupWindow#continueSnapshot} as primitive
 * records (no reader ids, no I/O), and written to a file later by another thread.
 *
 * <p>File layout (version 2, big-endian), read back by {@link DedupWindow#readSnapshot}:
 * <pre>
 *   int version = 2 | long windowMs | int readers | readers x (int index, UTF id)
 *   int windows | windows x 44 bytes:
 *     long tag | int reader index | long first | long last | long arrival | int count | int best rssi
 * </pre>
 * Reader indexes are assigned anew at each start, so the file carries its own index → id table
 * once, and a restore maps each id to today's index.
 *
 * <p>Filled by the thread that owns the window; after the copy is complete it may be handed to
 * one other thread to write (a safe hand-off, such as an executor, is the caller's part).
 */
public final class WindowSnapshot {
    static final int VERSION = 2;
    static final int RECORD_BYTES = 44;
    private static final int LONGS = 6; // tag, reader index, first, last, arrival, count << 32 | best

    private long windowMs;
    private long[] records = new long[0];
    private int size;
    private int maxReader = -1;
    private boolean complete;

    /**
     * Room for {@code expected} windows: the first snapshot allocates room for as many as the table
     * can hold, {@code capacity} (48 bytes a window; 31 MB for the engine's default 524,288 and its
     * headroom of a quarter more) once, since each larger
     * array a growing table asked for was a humongous allocation that started a G1 concurrent cycle
     * (young and remark pauses of 30–70 ms, -Xlog:gc+humongous, JFR allocations outside TLABs).
     */
    void reset(long windowMs, int expected, int capacity) {
        this.windowMs = windowMs;
        if (records.length < expected * LONGS) {
            records = new long[Math.max(expected, capacity) * LONGS];
        }
        size = 0;
        maxReader = -1;
        complete = false;
    }

    void add(long tag, int readerIndex, long first, long last, long arrival, long count, long best) {
        int b = size * LONGS;
        long[] r = records;
        r[b] = tag;
        r[b + 1] = readerIndex;
        r[b + 2] = first;
        r[b + 3] = last;
        r[b + 4] = arrival;
        r[b + 5] = count << 32 | (best & 0xFFFF_FFFFL);
        size++;
        if (readerIndex > maxReader) {
            maxReader = readerIndex;
        }
    }

    void complete() {
        complete = true;
    }

    /** Windows in the snapshot. */
    public int size() {
        return size;
    }

    /** Writes the snapshot in the version 2 layout; {@code readerIdOf} names a reader index. */
    public void writeTo(WritableByteChannel ch, IntFunction<String> readerIdOf) throws IOException {
        if (!complete) {
            throw new IllegalStateException("snapshot incomplete size=" + size);
        }
        // 256 KiB: under G1's humongous size, so a checkpoint does not start a concurrent cycle
        ByteBuffer buf = ByteBuffer.allocate(1 << 18);
        buf.putInt(VERSION).putLong(windowMs);
        boolean[] used = new boolean[maxReader + 1];
        int readers = 0;
        for (int i = 0; i < size; i++) {
            int k = (int) records[i * LONGS + 1];
            if (!used[k]) {
                used[k] = true;
                readers++;
            }
        }
        buf.putInt(readers);
        for (int k = 0; k <= maxReader; k++) {
            if (!used[k]) {
                continue;
            }
            byte[] id = readerIdOf.apply(k).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (id.length > 0xFFFF) {
                throw new IllegalArgumentException("reader id too long index=" + k);
            }
            if (buf.remaining() < 6 + id.length) {
                drain(buf, ch);
            }
            buf.putInt(k).putShort((short) id.length).put(id);
        }
        buf.putInt(size);
        for (int i = 0; i < size; i++) {
            if (buf.remaining() < RECORD_BYTES) {
                drain(buf, ch);
            }
            int b = i * LONGS;
            long cb = records[b + 5];
            buf.putLong(records[b]).putInt((int) records[b + 1]).putLong(records[b + 2]).putLong(records[b + 3])
                    .putLong(records[b + 4]).putInt((int) (cb >> 32)).putInt((int) cb);
        }
        drain(buf, ch);
    }

    private static void drain(ByteBuffer buf, WritableByteChannel ch) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        buf.clear();
    }
}
