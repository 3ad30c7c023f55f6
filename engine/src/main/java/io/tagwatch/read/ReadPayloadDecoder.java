package io.tagwatch.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * Decodes one {@code tags/{readerId}/reads} payload (wire protocol v1) into a {@link ReadBatch}:
 * the package's entry point for reading what readers send.
 *
 * <p>Two payload forms are recognised by their first bytes: {@code 'T' 'W'} is binary v1; a
 * first non-whitespace byte {@code '{'} is JSON; anything else is refused with
 * {@link PayloadError#NOT_JSON_OR_BINARY}. A payload is accepted or refused whole: on refusal
 * the batch is truncated back to the size it had on entry and {@link #lastErrorDetail()} says
 * which record or field was wrong.
 *
 * <h2>Binary v1 (big-endian)</h2>
 * <pre>
 *  offset  size  field
 *  0       2     magic 'T' 'W' (0x54 0x57)
 *  2       1     version u8 = 1
 *  3       1     flags u8 = 0
 *  4       2     count u16: number of records
 *  6       8     base time i64, epoch ms
 *  14      14*count records, each:
 *  +0      8       tag u64
 *  +8      4       offset u32, ms after base time (unsigned)
 *  +12     1       rssi i8, dBm
 *  +13     1       antenna u8
 * </pre>
 * The length must be exactly {@code 14 + 14 * count}; a read's timestamp is
 * {@code base + offset}.
 *
 * <h2>JSON</h2>
 * {@code {"reads":[{"tag":"9F3A0001C2","ts":1764380000123,"rssi":-58,"ant":2}, ...]}}: {@code tag}
 * is a string of 1 to 16 hex digits (either case); {@code ts} (integer epoch ms, signed 64-bit),
 * {@code rssi} (integer -128..127, the range of the binary form) and {@code ant} (integer
 * 0..2^31-1) are optional, and absent or {@code null} gives {@link ReadBatch#NO_TIMESTAMP},
 * {@link ReadBatch#NO_RSSI}, {@link ReadBatch#NO_ANTENNA}. Unknown keys at either level are
 * skipped with their values, for forward compatibility. A repeated known key is refused
 * (which value the reader meant is unknowable). Only UTF-8 is accepted.
 *
 * <p>Timestamps are not checked against the clock here ({@link ReadBatch#resolveTimes} does that
 * per read). A computed or sent timestamp equal to the {@code NO_TIMESTAMP} sentinel is nudged
 * to {@code Long.MIN_VALUE + 1}, and a binary {@code base + offset} that overflows saturates at
 * {@code Long.MAX_VALUE}, so that such reads are dropped as out of range instead of being
 * taken for "absent" or wrapping to a plausible time.
 *
 * <p>Allocation: a valid payload allocates nothing per read. Binary reads use absolute gets on
 * the buffer. JSON is parsed with Jackson's streaming parser (one parser per payload, field
 * names canonicalised, the tag read from the parser's char buffer); a buffer without an
 * accessible array is first copied into a scratch array that this decoder keeps and grows.
 * The error path allocates (the detail text, Jackson's exception).
 *
 * <p>Threading: not thread-safe; one instance per event loop, used by one thread at a time.
 */
public final class ReadPayloadDecoder {
    static final byte MAGIC_0 = 'T';
    static final byte MAGIC_1 = 'W';
    static final int VERSION = 1;
    static final int VERSION_OFFSET = 2;
    static final int FLAGS_OFFSET = 3;
    static final int COUNT_OFFSET = 4;
    static final int BASE_TIME_OFFSET = 6;
    static final int HEADER_LENGTH = 14;
    static final int RECORD_LENGTH = 14;
    static final int RECORD_TAG_OFFSET = 0;
    static final int RECORD_TIME_OFFSET = 8;
    static final int RECORD_RSSI_OFFSET = 12;
    static final int RECORD_ANTENNA_OFFSET = 13;

    static final int MIN_RSSI = Byte.MIN_VALUE;
    static final int MAX_RSSI = Byte.MAX_VALUE;

    private static final int INITIAL_SCRATCH = 4096;

    private static final int SEEN_TAG = 1;
    private static final int SEEN_TS = 2;
    private static final int SEEN_RSSI = 4;
    private static final int SEEN_ANT = 8;

    /**
     * Thread-safe once built. Field names are canonicalised (a known key costs no String) but
     * not {@code String.intern()}ed, so keys chosen by a reader cannot fill the JVM's intern
     * table; payload text never goes into exception locations.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private final int maxReadsPerBatch;
    private byte[] scratch;
    private String lastErrorDetail;

    /** @param maxReadsPerBatch most reads one payload may carry, at least 1 */
    public ReadPayloadDecoder(int maxReadsPerBatch) {
        if (maxReadsPerBatch < 1) {
            throw new IllegalArgumentException("maxReadsPerBatch=" + maxReadsPerBatch + " must be >= 1");
        }
        this.maxReadsPerBatch = maxReadsPerBatch;
    }

    /**
     * Appends the reads of {@code payload}'s readable bytes to {@code into}. The buffer's
     * indices are not changed and it is not released.
     *
     * @return {@link PayloadError#NONE} when every read was appended; otherwise the reason, with
     *     {@code into} truncated back to its size on entry
     */
    public PayloadError decode(ByteBuf payload, ReadBatch into) {
        int start = into.size();
        lastErrorDetail = null;
        PayloadError result = decodeForm(payload, into);
        if (result != PayloadError.NONE) {
            into.truncate(start);
        }
        return result;
    }

    /**
     * The specific detail of the last refusal (for example
     * {@code reads[2]: tag "XYZ" is not hex}), or {@code null} when the last call to
     * {@link #decode} accepted its payload.
     */
    public String lastErrorDetail() {
        return lastErrorDetail;
    }

    /** The limit given at construction. */
    public int maxReadsPerBatch() {
        return maxReadsPerBatch;
    }

    private PayloadError decodeForm(ByteBuf payload, ReadBatch into) {
        int base = payload.readerIndex();
        int length = payload.readableBytes();
        if (length >= 2 && payload.getByte(base) == MAGIC_0 && payload.getByte(base + 1) == MAGIC_1) {
            return decodeBinary(payload, base, length, into);
        }
        for (int i = 0; i < length; i++) {
            byte b = payload.getByte(base + i);
            if (b == '{') {
                return decodeJson(payload, base, length, i, into);
            }
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return fail(PayloadError.NOT_JSON_OR_BINARY, "first byte 0x" + hexByte(b) + " at index " + i
                        + " is neither 'T' 'W' (binary) nor '{' (JSON)");
            }
        }
        return fail(PayloadError.NOT_JSON_OR_BINARY,
                length == 0 ? "payload is empty" : "payload is only whitespace, length=" + length);
    }

    // ---------------------------------------------------------------- binary v1

    private PayloadError decodeBinary(ByteBuf payload, int base, int length, ReadBatch into) {
        // The version is checked first: another version may have another header length.
        if (length > VERSION_OFFSET) {
            int version = payload.getUnsignedByte(base + VERSION_OFFSET);
            if (version != VERSION) {
                return fail(PayloadError.BINARY_BAD_VERSION, "version=" + version + ", only " + VERSION + " is known");
            }
        }
        if (length < HEADER_LENGTH) {
            return fail(PayloadError.BINARY_TOO_SHORT,
                    "length=" + length + ", the header alone is " + HEADER_LENGTH + " bytes");
        }
        int flags = payload.getUnsignedByte(base + FLAGS_OFFSET);
        if (flags != 0) {
            return fail(PayloadError.BINARY_BAD_FLAGS, "flags=0x" + hexByte((byte) flags) + ", must be 0x00");
        }
        int count = payload.getUnsignedShort(base + COUNT_OFFSET);
        long expected = HEADER_LENGTH + (long) RECORD_LENGTH * count;
        if (length != expected) {
            return fail(PayloadError.BINARY_LENGTH_MISMATCH, lengthMismatch(count, expected, length));
        }
        if (count > maxReadsPerBatch) {
            return fail(PayloadError.TOO_MANY_READS, "count=" + count + ", maximum per batch=" + maxReadsPerBatch);
        }
        long baseTime = payload.getLong(base + BASE_TIME_OFFSET);
        int at = base + HEADER_LENGTH;
        into.ensureCapacity(into.size() + count); // the header says how many: no growth while decoding
        for (int i = 0; i < count; i++, at += RECORD_LENGTH) {
            long tag = payload.getLong(at + RECORD_TAG_OFFSET);
            long offset = payload.getUnsignedInt(at + RECORD_TIME_OFFSET);
            int rssi = payload.getByte(at + RECORD_RSSI_OFFSET);
            int antenna = payload.getUnsignedByte(at + RECORD_ANTENNA_OFFSET);
            into.add(tag, binaryTime(baseTime, offset), rssi, antenna);
        }
        return PayloadError.NONE;
    }

    /** {@code base + offset} (offset is 0..2^32-1), saturating, never the absent sentinel. */
    static long binaryTime(long baseTime, long offset) {
        long ts = baseTime + offset;
        if (ts < baseTime) { // offset >= 0, so only an overflow makes it smaller
            return Long.MAX_VALUE;
        }
        return ts == ReadBatch.NO_TIMESTAMP ? ReadBatch.NO_TIMESTAMP + 1 : ts;
    }

    // ---------------------------------------------------------------- JSON

    private PayloadError decodeJson(ByteBuf payload, int base, int length, int firstBrace, ReadBatch into) {
        // '{' then NUL is UTF-16LE or UTF-32LE, which Jackson would otherwise detect and accept.
        if (firstBrace + 1 < length && payload.getByte(base + firstBrace + 1) == 0) {
            return fail(PayloadError.JSON_MALFORMED, "NUL byte after '{': JSON must be UTF-8");
        }
        byte[] array;
        int offset;
        if (payload.hasArray()) {
            array = payload.array();
            offset = payload.arrayOffset() + base;
        } else {
            array = scratch(length);
            payload.getBytes(base, array, 0, length);
            offset = 0;
        }
        try (JsonParser p = JSON.createParser(array, offset, length)) {
            return parseTop(p, into);
        } catch (JsonProcessingException e) {
            return fail(PayloadError.JSON_MALFORMED, jacksonMessage(e) + where(e.getLocation()));
        } catch (IOException e) {
            // byte[] input does no I/O; anything else Jackson throws is still a bad payload
            return fail(PayloadError.JSON_MALFORMED, String.valueOf(e.getMessage()));
        }
    }

    private byte[] scratch(int length) {
        byte[] s = scratch;
        if (s == null || s.length < length) {
            int capacity = s == null ? INITIAL_SCRATCH : s.length;
            while (capacity < length) {
                capacity = capacity > (Integer.MAX_VALUE >> 1) ? Integer.MAX_VALUE : capacity << 1;
            }
            s = new byte[capacity];
            scratch = s;
        }
        return s;
    }

    private PayloadError parseTop(JsonParser p, ReadBatch into) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return fail(PayloadError.JSON_MALFORMED, "top level is not an object" + where(p.currentLocation()));
        }
        boolean sawReads = false;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            if ("reads".equals(name)) {
                if (sawReads) {
                    return fail(PayloadError.JSON_MALFORMED, "duplicate key \"reads\"" + where(p.currentLocation()));
                }
                sawReads = true;
                if (value != JsonToken.START_ARRAY) {
                    return fail(PayloadError.JSON_NO_READS, "\"reads\" is " + describe(value) + ", not an array");
                }
                PayloadError e = parseReads(p, into);
                if (e != PayloadError.NONE) {
                    return e;
                }
            } else {
                p.skipChildren();
            }
        }
        // nextFieldName() returned null: the parser is on END_OBJECT (or it would have thrown)
        JsonToken after = p.nextToken();
        if (after != null) {
            return fail(PayloadError.JSON_MALFORMED,
                    "content after the top-level object: " + describe(after) + where(p.currentLocation()));
        }
        if (!sawReads) {
            return fail(PayloadError.JSON_NO_READS, "no \"reads\" key in the top-level object");
        }
        return PayloadError.NONE;
    }

    private PayloadError parseReads(JsonParser p, ReadBatch into) throws IOException {
        final int max = maxReadsPerBatch;
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (index == max) {
                return fail(PayloadError.TOO_MANY_READS, "more than " + max + " reads, maximum per batch=" + max);
            }
            if (t != JsonToken.START_OBJECT) {
                return fail(PayloadError.JSON_BAD_READ, "reads[" + index + "] is " + describe(t) + ", not an object");
            }
            PayloadError e = parseRead(p, index, into);
            if (e != PayloadError.NONE) {
                return e;
            }
            index++;
        }
        return PayloadError.NONE;
    }

    /** Parses one read object, the parser being on its START_OBJECT; adds it when valid. */
    private PayloadError parseRead(JsonParser p, int index, ReadBatch into) throws IOException {
        int seen = 0;
        long tag = 0L;
        long ts = ReadBatch.NO_TIMESTAMP;
        int rssi = ReadBatch.NO_RSSI;
        int antenna = ReadBatch.NO_ANTENNA;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken v = p.nextToken();
            int bit;
            switch (name) {
                case "tag":
                    bit = SEEN_TAG;
                    if (v != JsonToken.VALUE_STRING) {
                        return badRead(index, "tag is " + describe(v) + ", not a string");
                    }
                    char[] chars = p.getTextCharacters();
                    int off = p.getTextOffset();
                    int len = p.getTextLength();
                    if (!TagIds.isValidHex(chars, off, len)) {
                        return badRead(index, badTag(chars, off, len));
                    }
                    tag = TagIds.parseHex(chars, off, len);
                    break;
                case "ts":
                    bit = SEEN_TS;
                    if (v == JsonToken.VALUE_NULL) {
                        break;
                    }
                    if (v != JsonToken.VALUE_NUMBER_INT) {
                        return badRead(index, "ts is " + describe(v) + ", not an integer (epoch ms)");
                    }
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        return badRead(index, "ts " + clipped(p) + " is out of the signed 64-bit range");
                    }
                    ts = p.getLongValue();
                    if (ts == ReadBatch.NO_TIMESTAMP) {
                        ts = ReadBatch.NO_TIMESTAMP + 1; // stays far out of range, is not "absent"
                    }
                    break;
                case "rssi":
                    bit = SEEN_RSSI;
                    if (v == JsonToken.VALUE_NULL) {
                        break;
                    }
                    if (v != JsonToken.VALUE_NUMBER_INT) {
                        return badRead(index, "rssi is " + describe(v) + ", not an integer (dBm)");
                    }
                    int r = p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue() : Integer.MIN_VALUE;
                    if (r < MIN_RSSI || r > MAX_RSSI) {
                        return badRead(index, "rssi " + clipped(p) + " is out of range " + MIN_RSSI + ".." + MAX_RSSI);
                    }
                    rssi = r;
                    break;
                case "ant":
                    bit = SEEN_ANT;
                    if (v == JsonToken.VALUE_NULL) {
                        break;
                    }
                    if (v != JsonToken.VALUE_NUMBER_INT) {
                        return badRead(index, "ant is " + describe(v) + ", not an integer");
                    }
                    int a = p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue() : -1;
                    if (a < 0) {
                        return badRead(index, "ant " + clipped(p) + " is out of range 0.." + Integer.MAX_VALUE);
                    }
                    antenna = a;
                    break;
                default:
                    p.skipChildren(); // unknown key: skip its value, however nested
                    continue;
            }
            if ((seen & bit) != 0) {
                return badRead(index, "duplicate key \"" + name + "\"");
            }
            seen |= bit;
        }
        if ((seen & SEEN_TAG) == 0) {
            return badRead(index, "tag is missing");
        }
        into.add(tag, ts, rssi, antenna);
        return PayloadError.NONE;
    }

    // ---------------------------------------------------------------- error path

    private PayloadError fail(PayloadError error, String detail) {
        lastErrorDetail = detail;
        return error;
    }

    private PayloadError badRead(int index, String detail) {
        return fail(PayloadError.JSON_BAD_READ, "reads[" + index + "]: " + detail);
    }

    private static String lengthMismatch(int count, long expected, int length) {
        String needs = "count=" + count + " needs " + expected + " bytes, got " + length;
        if (length > expected) {
            long extra = length - expected;
            return extra + " trailing byte" + plural(extra) + " after " + count + " record" + plural(count) + ": " + needs;
        }
        int records = length - HEADER_LENGTH;
        int whole = records / RECORD_LENGTH;
        String cut = records % RECORD_LENGTH == 0 ? "" : ", record " + (whole + 1) + " of " + count + " cut short";
        return "truncated: " + needs + " (" + whole + " whole record" + plural(whole) + cut + ")";
    }

    private static String plural(long n) {
        return n == 1 ? "" : "s";
    }

    private static String badTag(char[] chars, int off, int len) {
        String text = TagIds.clip(new String(chars, off, len));
        if (len == 0) {
            return "tag \"\" is empty";
        }
        if (len > TagIds.MAX_DIGITS) {
            return "tag \"" + text + "\" has " + len + " characters, at most " + TagIds.MAX_DIGITS + " hex digits allowed";
        }
        for (int i = 0; i < len; i++) {
            if (TagIds.digit(chars[off + i]) < 0) {
                return "tag \"" + text + "\" is not hex (character " + (i + 1) + ")";
            }
        }
        return "tag \"" + text + "\" is invalid";
    }

    private static String clipped(JsonParser p) throws IOException {
        return TagIds.clip(p.getText());
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "missing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a non-integer number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.name();
        };
    }

    /** Jackson's message without the redacted-source note it puts into nested locations. */
    private static String jacksonMessage(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage());
        return message.replaceAll("\\[Source: [^;\\]]*; ", "[");
    }

    private static String where(JsonLocation location) {
        if (location == null) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static String hexByte(byte b) {
        return String.format("%02X", b & 0xFF);
    }
}
