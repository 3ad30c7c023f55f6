package io.tagwatch.read;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes {@code tags/{id}/reads} payloads, as a reader's firmware would: binary v1 or JSON
 * (docs/protocol.md). Used by the simulator and tests; the engine only decodes.
 * Stateless and thread-safe.
 */
public final class ReadPayloadEncoder {
    /** Bytes before the first record: magic 'T' 'W', version, flags, count u16, base time i64. */
    public static final int BINARY_HEADER_BYTES = 14;
    /** Bytes per record: tag u64, offset u32, rssi i8, antenna u8. */
    public static final int BINARY_RECORD_BYTES = 14;
    public static final int MAX_BINARY_READS = 0xFFFF;

    private ReadPayloadEncoder() {
    }

    /**
     * Binary v1; the base time is the earliest timestamp. Every read needs a timestamp, an rssi
     * and an antenna (binary has no "absent"; rssi is clamped to a signed byte).
     */
    public static byte[] binary(ReadBatch b) {
        int n = b.size();
        if (n > MAX_BINARY_READS) {
            throw new IllegalArgumentException("size=" + n + " exceeds the binary count field");
        }
        long base = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            base = Math.min(base, b.timestamp(i));
        }
        if (n == 0) {
            base = System.currentTimeMillis();
        }
        ByteBuffer buf = ByteBuffer.allocate(BINARY_HEADER_BYTES + n * BINARY_RECORD_BYTES);
        buf.put((byte) 'T').put((byte) 'W').put((byte) 1).put((byte) 0).putShort((short) n).putLong(base);
        for (int i = 0; i < n; i++) {
            long offset = b.timestamp(i) - base;
            if (offset > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("read " + i + " is " + offset + " ms after the base time");
            }
            int rssi = b.rssi(i) == ReadBatch.NO_RSSI ? 0 : Math.max(-128, Math.min(127, b.rssi(i)));
            int ant = b.antenna(i) == ReadBatch.NO_ANTENNA ? 0 : b.antenna(i);
            buf.putLong(b.tag(i)).putInt((int) offset).put((byte) rssi).put((byte) ant);
        }
        return buf.array();
    }

    /** JSON form; absent fields are left out. */
    public static byte[] json(ReadBatch b) {
        StringBuilder sb = new StringBuilder(16 + b.size() * 64).append("{\"reads\":[");
        for (int i = 0; i < b.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"tag\":\"").append(TagIds.format(b.tag(i))).append('"');
            if (b.timestamp(i) != ReadBatch.NO_TIMESTAMP) {
                sb.append(",\"ts\":").append(b.timestamp(i));
            }
            if (b.rssi(i) != ReadBatch.NO_RSSI) {
                sb.append(",\"rssi\":").append(b.rssi(i));
            }
            if (b.antenna(i) != ReadBatch.NO_ANTENNA) {
                sb.append(",\"ant\":").append(b.antenna(i));
            }
            sb.append('}');
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
