package io.tagwatch.journal;

import io.tagwatch.read.ReadBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The journal's on-disk layout. A segment file is a sequence of records; a record is one
 * acknowledged-or-about-to-be batch. Big-endian.
 *
 * <pre>
 *  record                      body (type 1 = batch)
 *  +0  u32 body length         +0  u8  type = 1
 *  +4  u32 CRC32C of body      +1  i64 received at (engine clock, epoch ms)
 *  +8  body ...                +9  u8  reader id length n
 *                              +10 n bytes reader id (US-ASCII)
 *                              +10+n i32 read count c
 *                              then c reads of 20 bytes:
 *                                +0 i64 tag  +8 i64 timestamp  +16 i16 rssi  +18 u16 antenna
 * </pre>
 *
 * A record's position is its segment's base position plus its offset in the file; segment
 * files are named by their base position, so positions grow across segments and never repeat.
 * Absent rssi is stored as {@link #NO_RSSI} (-32768), absent antenna as 0xFFFF.
 */
final class JournalDescriptor {
    static final int LENGTH_OFFSET = 0;
    static final int CRC_OFFSET = 4;
    static final int HEADER_BYTES = 8;
    static final byte TYPE_BATCH = 1;
    static final int READ_BYTES = 20;
    static final short NO_RSSI = Short.MIN_VALUE;
    static final int NO_ANTENNA = 0xFFFF;
    /** Refuses absurd lengths when scanning a damaged file. */
    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    private JournalDescriptor() {
    }

    static int recordBytes(ReadBatch b) {
        return HEADER_BYTES + 1 + 8 + 1 + b.readerId().length() + 4 + b.size() * READ_BYTES;
    }

    /** Writes one batch record at the buffer's position (which must have room). */
    static void write(ByteBuffer out, ReadBatch b) {
        int start = out.position();
        out.position(start + HEADER_BYTES);
        out.put(TYPE_BATCH);
        out.putLong(b.receivedAt());
        byte[] id = b.readerId().getBytes(StandardCharsets.US_ASCII);
        out.put((byte) id.length);
        out.put(id);
        int n = b.size();
        out.putInt(n);
        for (int i = 0; i < n; i++) {
            out.putLong(b.tag(i));
            out.putLong(b.timestamp(i));
            int rssi = b.rssi(i);
            out.putShort(rssi == ReadBatch.NO_RSSI ? NO_RSSI : (short) Math.max(-32767, Math.min(32767, rssi)));
            int ant = b.antenna(i);
            out.putShort((short) (ant == ReadBatch.NO_ANTENNA ? NO_ANTENNA : Math.min(ant, 0xFFFE)));
        }
        int end = out.position();
        int bodyLength = end - start - HEADER_BYTES;
        CRC32C crc = new CRC32C();
        ByteBuffer body = out.duplicate();
        body.position(start + HEADER_BYTES).limit(end);
        crc.update(body);
        out.putInt(start + LENGTH_OFFSET, bodyLength);
        out.putInt(start + CRC_OFFSET, (int) crc.getValue());
    }

    /** Decodes a body that passed its CRC into a new batch (reader index left unset). */
    static ReadBatch read(ByteBuffer body) {
        if (body.get() != TYPE_BATCH) {
            throw new IllegalArgumentException("unknown record type");
        }
        long receivedAt = body.getLong();
        byte[] id = new byte[body.get() & 0xFF];
        body.get(id);
        int n = body.getInt();
        if (n < 0 || n * (long) READ_BYTES != body.remaining()) {
            throw new IllegalArgumentException("read count " + n + " does not match the body");
        }
        ReadBatch b = new ReadBatch(Math.max(1, n));
        for (int i = 0; i < n; i++) {
            long tag = body.getLong();
            long ts = body.getLong();
            short rssi = body.getShort();
            int ant = body.getShort() & 0xFFFF;
            b.add(tag, ts, rssi == NO_RSSI ? ReadBatch.NO_RSSI : rssi, ant == NO_ANTENNA ? ReadBatch.NO_ANTENNA : ant);
        }
        b.source(new String(id, StandardCharsets.US_ASCII), -1, receivedAt);
        return b;
    }

    static int crc(ByteBuffer body) {
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        return (int) crc.getValue();
    }
}
