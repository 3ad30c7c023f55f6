package io.tagwatch.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Streams sightings into {@code sightings} with {@code COPY ... FROM STDIN (FORMAT binary)}:
 * PostgreSQL's binary tuple format, so the server parses no text (no number or timestamp
 * parsing, no escaping) and each row is 70-odd bytes on the wire.
 *
 * <pre>
 * header   "PGCOPY\n\377\r\n\0" | flags i32 = 0 | extension length i32 = 0
 * tuple    field count i16 = 6
 *          len i32 = 8 | tag i64                   (bigint)
 *          len i32 = n | reader id, n bytes UTF-8  (text)
 *          len i32 = 8 | first seen i64            (timestamptz: µs since 2000-01-01 UTC)
 *          len i32 = 8 | last seen i64             (timestamptz)
 *          len i32 = 4 | read count i32            (integer)
 *          len i32 = 2 | best rssi i16, or len -1 = NULL (smallint)
 * trailer  i16 = -1
 * </pre>
 *
 * Source: PostgreSQL documentation, COPY, "Binary Format"; timestamps as 64-bit integers is
 * the only representation PostgreSQL 10 and later build with.
 *
 * <p>Not thread-safe: one instance per writer thread; its buffer is reused between copies.
 */
public final class SightingCopy {
    static final String COPY_SQL = "COPY sightings (tag, reader_id, first_seen, last_seen, read_count, best_rssi) "
            + "FROM STDIN (FORMAT binary)";
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
        0, 0, 0, 0, 0, 0, 0, 0};
    private static final short FIELDS = 6;
    /** Milliseconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01 (UTC). */
    private static final long PG_EPOCH_MS = 946_684_800_000L;
    private static final int FLUSH_BYTES = 1 << 16;

    private byte[] buf = new byte[FLUSH_BYTES + 1024];
    /**
     * UTF-8 of each reader id by the rows' reader number, encoded once (a city has hundreds of
     * readers, a copy millions of rows): an array index a row, not a hash look-up by id (8 ms of
     * lookups in a 500,000-row copy, 17 ns a row). Valid for one numbering ({@link #numbering}).
     */
    private byte[][] readerBytes = new byte[0][];
    /** The numbering {@link #readerBytes} was filled for; rows numbered otherwise start it again. */
    private java.util.function.IntFunction<String> numbering;
    private int pos;

    /** Copies every sighting of {@code batches} inside the connection's current transaction; returns the rows. */
    public int copy(Connection c, List<SightingRows> batches) throws SQLException {
        return copy(c, batches, sent -> { });
    }

    /**
     * As {@link #copy(Connection, List)}, calling {@code chunkSent} with the rows sent so far each
     * time a chunk (64 KB) has gone to the server: where the writer paces itself.
     */
    public int copy(Connection c, List<SightingRows> batches, java.util.function.IntConsumer chunkSent) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_SQL);
        int rows = 0;
        try {
            pos = 0;
            put(HEADER);
            for (SightingRows batch : batches) {
                if (batch.readerIds() != numbering) {
                    numbering = batch.readerIds();
                    readerBytes = new byte[0][];
                }
                for (int r = 0; r < batch.size(); r++) {
                    tuple(batch, r);
                    rows++;
                    if (pos >= FLUSH_BYTES) {
                        in.writeToCopy(buf, 0, pos);
                        pos = 0;
                        chunkSent.accept(rows);
                    }
                }
            }
            putShort((short) -1);
            in.writeToCopy(buf, 0, pos);
            in.endCopy();
            return rows;
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private void tuple(SightingRows s, int r) {
        byte[] reader = readerBytes(s, r);
        ensure(2 + 12 + 4 + reader.length + 12 + 12 + 8 + 6);
        putShort(FIELDS);
        putInt(8);
        putLong(s.tag(r));
        putInt(reader.length);
        put(reader);
        putInt(8);
        putLong(micros(s.firstSeen(r)));
        putInt(8);
        putLong(micros(s.lastSeen(r)));
        putInt(4);
        putInt(s.readCount(r));
        int rssi = s.bestRssi(r);
        if (rssi == Integer.MIN_VALUE) {
            putInt(-1);
        } else {
            putInt(2);
            putShort((short) rssi);
        }
    }

    private byte[] readerBytes(SightingRows s, int r) {
        int n = s.reader(r);
        if (n >= readerBytes.length) {
            readerBytes = java.util.Arrays.copyOf(readerBytes, Math.max(n + 1, readerBytes.length * 2));
        }
        byte[] b = readerBytes[n];
        if (b == null) {
            b = s.readerId(r).getBytes(StandardCharsets.UTF_8);
            readerBytes[n] = b;
        }
        return b;
    }

    static long micros(long epochMs) {
        return (epochMs - PG_EPOCH_MS) * 1000L;
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    private void put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    private void putShort(short v) {
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void putInt(int v) {
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }
}
