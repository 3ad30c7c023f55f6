package io.tagwatch.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReadPayloadDecoderTest {

    /**
     * The worked example of docs/protocol.md ("Worked example"), byte for byte: change both
     * together. Two reads, base time 1764380000123 (2025-11-29T01:33:20.123Z).
     */
    static final String DOC_WORKED_EXAMPLE =
            "54 57 01 00 00 02 00 00 01 9A CD 3E 3F 7B"   // header: "TW", v1, flags 0, count 2, base time
            + " 00 00 00 9F 3A 00 01 C2 00 00 00 00 C6 02" // record 0: tag 9F3A0001C2, +0 ms, -58 dBm, ant 2
            + " 00 00 00 00 E2 80 11 60 00 00 05 DC B9 01"; // record 1: tag E2801160, +1500 ms, -71 dBm, ant 1

    /** Hand-built from the layout: extreme values of every record field. */
    static final String BINARY_EDGES =
            "54 57 01 00 00 02 00 00 01 9A CD 3E 3F 7B"
            + " FF FF FF FF FF FF FF FF FF FF FF FF 80 FF"  // tag max, offset 2^32-1 (unsigned), rssi -128, ant 255
            + " 00 00 00 00 00 00 00 00 00 00 00 00 7F 00"; // tag 0, offset 0, rssi 127, ant 0

    private final ReadPayloadDecoder decoder = new ReadPayloadDecoder(10_000);
    private final ReadBatch batch = new ReadBatch(4);

    static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private PayloadError decode(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            return decoder.decode(buf, batch);
        } finally {
            buf.release();
        }
    }

    private PayloadError decode(ReadPayloadDecoder d, byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            return d.decode(buf, batch);
        } finally {
            buf.release();
        }
    }

    private void assertRead(int i, String tag, long ts, int rssi, int ant) {
        assertThat(TagIds.format(batch.tag(i))).as("tag %d", i).isEqualTo(tag);
        assertThat(batch.timestamp(i)).as("ts %d", i).isEqualTo(ts);
        assertThat(batch.rssi(i)).as("rssi %d", i).isEqualTo(rssi);
        assertThat(batch.antenna(i)).as("ant %d", i).isEqualTo(ant);
    }

    private static String jsonReads(int n) {
        StringBuilder sb = new StringBuilder("{\"reads\":[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("{\"tag\":\"").append(Long.toHexString(0xE280000000L + i))
                    .append("\",\"ts\":").append(1764380000123L + i)
                    .append(",\"rssi\":-").append(40 + i % 50)
                    .append(",\"ant\":").append(i % 4).append('}');
        }
        return sb.append("]}").toString();
    }

    private static byte[] binaryReads(int n) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte('T').writeByte('W').writeByte(1).writeByte(0).writeShort(n).writeLong(1764380000123L);
        for (int i = 0; i < n; i++) {
            b.writeLong(0xE280000000L + i).writeInt(i).writeByte(-(40 + i % 50)).writeByte(i % 4);
        }
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        b.release();
        return out;
    }

    // ---------------------------------------------------------------- golden binary fixtures

    @Test
    void decode_docWorkedExample_twoReads() {
        byte[] bytes = hex(DOC_WORKED_EXAMPLE);
        assertThat(bytes).hasSize(42);

        assertThat(decode(bytes)).isEqualTo(PayloadError.NONE);

        assertThat(batch.size()).isEqualTo(2);
        assertRead(0, "9F3A0001C2", 1764380000123L, -58, 2);
        assertRead(1, "E2801160", 1764380001623L, -71, 1);
    }

    /** docs/protocol.md shows {@link #DOC_WORKED_EXAMPLE} annotated and as one string: both must match it. */
    @Test
    void protocolDoc_workedExample_matchesFixture() throws IOException {
        String doc = Files.readString(protocolDoc(), StandardCharsets.UTF_8);
        int section = doc.indexOf("### Worked example");
        assertThat(section).as("\"### Worked example\" in protocol.md").isNotNegative();
        int open = doc.indexOf("```", section);
        int close = doc.indexOf("```", open + 3);
        assertThat(open).isPositive();
        assertThat(close).isPositive();

        Pattern line = Pattern.compile("^\\s*(\\d+)  ((?:[0-9A-F]{2} )*[0-9A-F]{2})(?:\\s{2,}.*)?$");
        StringBuilder bytes = new StringBuilder();
        for (String text : doc.substring(open + 3, close).split("\n")) {
            Matcher m = line.matcher(text);
            if (m.matches()) {
                assertThat(Integer.parseInt(m.group(1))).as("offset column of: %s", text)
                        .isEqualTo(bytes.length() / 2);
                bytes.append(m.group(2).replace(" ", ""));
            }
        }
        String fixture = DOC_WORKED_EXAMPLE.replace(" ", "");
        assertThat(bytes.toString()).as("annotated bytes in protocol.md").isEqualTo(fixture);
        assertThat(doc).as("one-string hex in protocol.md").contains("`" + fixture.toLowerCase(Locale.ROOT) + "`");
    }

    /** Property {@code tagwatch.protocolDoc}, else docs/protocol.md from the engine or the repository root. */
    private static Path protocolDoc() {
        List<Path> tried = new ArrayList<>();
        String configured = System.getProperty("tagwatch.protocolDoc");
        if (configured != null && !configured.isBlank()) {
            tried.add(Paths.get(configured));
        }
        tried.add(Paths.get("../docs/protocol.md"));
        tried.add(Paths.get("docs/protocol.md"));
        for (Path path : tried) {
            if (Files.isRegularFile(path)) {
                return path;
            }
        }
        return fail("docs/protocol.md not found, tried " + tried.stream().map(p -> p.toAbsolutePath().normalize()).toList());
    }

    @Test
    void decode_docWorkedExample_sameReadsAsItsJsonEquivalent() {
        String json = "{\"reads\":[{\"tag\":\"9F3A0001C2\",\"ts\":1764380000123,\"rssi\":-58,\"ant\":2},"
                + "{\"tag\":\"E2801160\",\"ts\":1764380001623,\"rssi\":-71,\"ant\":1}]}";
        ReadBatch fromJson = new ReadBatch(2);
        ByteBuf buf = Unpooled.wrappedBuffer(utf8(json));
        assertThat(decoder.decode(buf, fromJson)).isEqualTo(PayloadError.NONE);
        buf.release();

        assertThat(decode(hex(DOC_WORKED_EXAMPLE))).isEqualTo(PayloadError.NONE);

        assertThat(fromJson.size()).isEqualTo(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            assertThat(fromJson.tag(i)).isEqualTo(batch.tag(i));
            assertThat(fromJson.timestamp(i)).isEqualTo(batch.timestamp(i));
            assertThat(fromJson.rssi(i)).isEqualTo(batch.rssi(i));
            assertThat(fromJson.antenna(i)).isEqualTo(batch.antenna(i));
        }
    }

    @Test
    void decode_binaryEdgeValues_unsignedTagAndOffsetSignedRssiUnsignedAntenna() {
        assertThat(decode(hex(BINARY_EDGES))).isEqualTo(PayloadError.NONE);

        assertThat(batch.size()).isEqualTo(2);
        assertRead(0, "FFFFFFFFFFFFFFFF", 1764380000123L + 4_294_967_295L, -128, 255);
        assertRead(1, "0", 1764380000123L, 127, 0);
    }

    @Test
    void binaryTime_overflowOrSentinel_staysOutOfRangeAndNeverAbsent() {
        assertThat(ReadPayloadDecoder.binaryTime(Long.MAX_VALUE, 1L)).isEqualTo(Long.MAX_VALUE);
        assertThat(ReadPayloadDecoder.binaryTime(Long.MAX_VALUE - 5, 0xFFFFFFFFL)).isEqualTo(Long.MAX_VALUE);
        assertThat(ReadPayloadDecoder.binaryTime(Long.MIN_VALUE, 0L)).isEqualTo(Long.MIN_VALUE + 1);
        assertThat(ReadPayloadDecoder.binaryTime(-10L, 10L)).isZero();
    }

    @Test
    void decode_binaryBaseTimeIsSentinel_readNotTakenAsAbsent() {
        byte[] bytes = hex("54 57 01 00 00 01 80 00 00 00 00 00 00 00"
                + " 00 00 00 00 00 00 00 01 00 00 00 00 00 00");

        assertThat(decode(bytes)).isEqualTo(PayloadError.NONE);

        assertThat(batch.timestamp(0)).isEqualTo(Long.MIN_VALUE + 1).isNotEqualTo(ReadBatch.NO_TIMESTAMP);
    }

    // ---------------------------------------------------------------- binary refusals

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            version 2             | 5457020000010000019acd3e3f7b000000000000000100000000ff01 | BINARY_BAD_VERSION     | version=2
            version 2, short      | 545702                                                   | BINARY_BAD_VERSION     | version=2
            magic only            | 5457                                                     | BINARY_TOO_SHORT       | length=2
            header cut            | 5457010000000000019acd3e3f                               | BINARY_TOO_SHORT       | length=13
            flags set             | 5457010100000000019acd3e3f7b                             | BINARY_BAD_FLAGS       | flags=0x01
            record cut short      | 5457010000010000019acd3e3f7b0000000000000001000000       | BINARY_LENGTH_MISMATCH | record 1 of 1 cut short
            count above records   | 5457010000050000019acd3e3f7b000000000000000100000000ff01 | BINARY_LENGTH_MISMATCH | count=5 needs 84 bytes, got 28
            one trailing byte     | 5457010000010000019acd3e3f7b000000000000000100000000ff0100 | BINARY_LENGTH_MISMATCH | 1 trailing byte after 1 record
            """)
    void decode_badBinary_refusedWithSpecificReason(String scenario, String payload, PayloadError expected, String detail) {
        assertThat(decode(hex(payload))).isEqualTo(expected);
        assertThat(decoder.lastErrorDetail()).contains(detail);
        assertThat(batch.size()).isZero();
    }

    // ---------------------------------------------------------------- form detection

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty            | ''         | payload is empty
            whitespace only  | 20090d0a   | only whitespace
            text             | 68656c6c6f | first byte 0x68 at index 0
            JSON array       | 5b5d       | first byte 0x5B
            single T         | 54         | first byte 0x54
            UTF-8 BOM        | efbbbf7b7d | first byte 0xEF
            UTF-16BE         | 007b007d   | first byte 0x00
            """)
    void decode_neitherForm_notJsonOrBinary(String scenario, String payload, String detail) {
        assertThat(decode(hex(payload))).isEqualTo(PayloadError.NOT_JSON_OR_BINARY);
        assertThat(decoder.lastErrorDetail()).contains(detail);
    }

    @Test
    void decode_utf16LittleEndianJson_refused() {
        byte[] bytes = "{\"reads\":[]}".getBytes(StandardCharsets.UTF_16LE);

        assertThat(decode(bytes)).isEqualTo(PayloadError.JSON_MALFORMED);
        assertThat(decoder.lastErrorDetail()).contains("UTF-8");
    }

    // ---------------------------------------------------------------- JSON

    @Test
    void decode_jsonGolden_allFieldsAndAbsentOnes() {
        byte[] bytes = utf8("{\"reads\":[{\"tag\":\"9F3A0001C2\",\"ts\":1764380000123,\"rssi\":-58,\"ant\":2},"
                + "{\"tag\":\"a1\"},{\"tag\":\"1\",\"ts\":null,\"rssi\":null,\"ant\":null}]}");

        assertThat(decode(bytes)).isEqualTo(PayloadError.NONE);

        assertThat(batch.size()).isEqualTo(3);
        assertRead(0, "9F3A0001C2", 1764380000123L, -58, 2);
        assertRead(1, "A1", ReadBatch.NO_TIMESTAMP, ReadBatch.NO_RSSI, ReadBatch.NO_ANTENNA);
        assertRead(2, "1", ReadBatch.NO_TIMESTAMP, ReadBatch.NO_RSSI, ReadBatch.NO_ANTENNA);
    }

    @Test
    void decode_jsonEmptyReads_acceptedWithNoReads() {
        assertThat(decode(utf8("{\"reads\":[]}"))).isEqualTo(PayloadError.NONE);
        assertThat(batch.size()).isZero();
    }

    @Test
    void decode_unknownJsonKeys_ignoredAtBothLevelsWithNestedValues() {
        byte[] bytes = utf8("{\"v\":2,\"reader\":{\"fw\":\"1.2\",\"ids\":[1,[2,{\"reads\":[]}]]},"
                + "\"reads\":[{\"x\":{\"tag\":\"BAD!\"},\"tag\":\"B07\",\"y\":[{\"ts\":\"no\"},[]],\"ts\":5,\"z\":null,"
                + "\"phase\":1.5,\"ok\":true}],"
                + "\"after\":[{}]}");

        assertThat(decode(bytes)).as(String.valueOf(decoder.lastErrorDetail())).isEqualTo(PayloadError.NONE);

        assertThat(batch.size()).isEqualTo(1);
        assertRead(0, "B07", 5L, ReadBatch.NO_RSSI, ReadBatch.NO_ANTENNA);
    }

    @Test
    void decode_jsonTsIsSentinelValue_readNotTakenAsAbsent() {
        assertThat(decode(utf8("{\"reads\":[{\"tag\":\"1\",\"ts\":-9223372036854775808}]}"))).isEqualTo(PayloadError.NONE);
        assertThat(batch.timestamp(0)).isEqualTo(Long.MIN_VALUE + 1);
    }

    @Test
    void decode_badTagInThirdRead_detailNamesRecordAndField() {
        byte[] bytes = utf8("{\"reads\":[{\"tag\":\"A1\"},{\"tag\":\"A2\"},{\"tag\":\"XYZ\"},{\"tag\":\"A4\"}]}");

        assertThat(decode(bytes)).isEqualTo(PayloadError.JSON_BAD_READ);

        assertThat(decoder.lastErrorDetail()).isEqualTo("reads[2]: tag \"XYZ\" is not hex (character 1)");
        assertThat(batch.size()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            read not an object | {"reads":[{"tag":"1"},"A1"]}                  | reads[1] is a string, not an object
            tag missing        | {"reads":[{"rssi":-50}]}                       | reads[0]: tag is missing
            tag a number       | {"reads":[{"tag":161}]}                        | reads[0]: tag is an integer, not a string
            tag null           | {"reads":[{"tag":null}]}                       | reads[0]: tag is null, not a string
            tag empty          | {"reads":[{"tag":""}]}                         | reads[0]: tag "" is empty
            tag 17 digits      | {"reads":[{"tag":"1FFFFFFFFFFFFFFFF"}]}        | reads[0]: tag "1FFFFFFFFFFFFFFFF" has 17 characters
            tag with blank     | {"reads":[{"tag":"A1 "}]}                      | reads[0]: tag "A1 " is not hex (character 3)
            tag control char   | {"reads":[{"tag":"A\\n"}]}                     | reads[0]: tag "A\\u000A" is not hex
            tag duplicated     | {"reads":[{"tag":"A1","tag":"A2"}]}            | reads[0]: duplicate key "tag"
            ts a string        | {"reads":[{"tag":"1","ts":"1764380000123"}]}   | reads[0]: ts is a string, not an integer
            ts fractional      | {"reads":[{"tag":"1","ts":1764380000123.5}]}   | reads[0]: ts is a non-integer number
            ts exponent        | {"reads":[{"tag":"1","ts":1.764e12}]}          | reads[0]: ts is a non-integer number
            ts over 64 bits    | {"reads":[{"tag":"1","ts":9223372036854775808}]} | reads[0]: ts 9223372036854775808 is out of the signed 64-bit range
            rssi too low       | {"reads":[{"tag":"1","rssi":-129}]}            | reads[0]: rssi -129 is out of range -128..127
            rssi too high      | {"reads":[{"tag":"1","rssi":128}]}             | reads[0]: rssi 128 is out of range
            rssi huge          | {"reads":[{"tag":"1","rssi":99999999999}]}     | reads[0]: rssi 99999999999 is out of range
            rssi boolean       | {"reads":[{"tag":"1","rssi":true}]}            | reads[0]: rssi is a boolean
            ant negative       | {"reads":[{"tag":"1","ant":-1}]}               | reads[0]: ant -1 is out of range 0..2147483647
            ant over int       | {"reads":[{"tag":"1","ant":2147483648}]}       | reads[0]: ant 2147483648 is out of range
            ant array          | {"reads":[{"tag":"1","ant":[1]}]}              | reads[0]: ant is an array
            """)
    void decode_badRead_jsonBadReadNamingRecordAndField(String scenario, String json, String detail) {
        assertThat(decode(utf8(json))).isEqualTo(PayloadError.JSON_BAD_READ);
        assertThat(decoder.lastErrorDetail()).startsWith(detail);
        assertThat(batch.size()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            no reads key       | {"tags":[]}                   | JSON_NO_READS  | no "reads" key
            reads an object    | {"reads":{"tag":"A1"}}        | JSON_NO_READS  | "reads" is an object, not an array
            reads null         | {"reads":null}                | JSON_NO_READS  | "reads" is null
            reads twice        | {"reads":[],"reads":[]}       | JSON_MALFORMED | duplicate key "reads"
            cut off            | {"reads": [ {"tag": "A1"      | JSON_MALFORMED | end-of-input
            trailing comma     | {"reads":[{"tag":"A1"},]}     | JSON_MALFORMED | line 1
            second object      | {"reads":[]} {"reads":[]}     | JSON_MALFORMED | content after the top-level object
            trailing garbage   | {"reads":[]}x                 | JSON_MALFORMED | line 1
            extra close        | {"reads":[]}}                 | JSON_MALFORMED | line 1
            single quotes      | {'reads':[]}                  | JSON_MALFORMED | line 1
            """)
    void decode_badJson_refusedWithSpecificReason(String scenario, String json, PayloadError expected, String detail) {
        assertThat(decode(utf8(json))).isEqualTo(expected);
        assertThat(decoder.lastErrorDetail()).contains(detail);
        assertThat(batch.size()).isZero();
    }

    @Test
    void decode_trailingWhitespace_accepted() {
        assertThat(decode(utf8("\r\n\t {\"reads\":[{\"tag\":\"1\"}]} \n"))).isEqualTo(PayloadError.NONE);
        assertThat(batch.size()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- limits

    @Test
    void decode_binaryAtMaxReads_accepted() {
        ReadPayloadDecoder small = new ReadPayloadDecoder(3);
        assertThat(decode(small, binaryReads(3))).isEqualTo(PayloadError.NONE);
        assertThat(batch.size()).isEqualTo(3);
    }

    @Test
    void decode_binaryOverMaxReads_tooManyReads() {
        ReadPayloadDecoder small = new ReadPayloadDecoder(3);

        assertThat(decode(small, binaryReads(4))).isEqualTo(PayloadError.TOO_MANY_READS);

        assertThat(small.lastErrorDetail()).isEqualTo("count=4, maximum per batch=3");
        assertThat(batch.size()).isZero();
    }

    @Test
    void decode_jsonAtMaxReads_accepted() {
        ReadPayloadDecoder small = new ReadPayloadDecoder(3);
        assertThat(decode(small, utf8(jsonReads(3)))).isEqualTo(PayloadError.NONE);
        assertThat(batch.size()).isEqualTo(3);
    }

    @Test
    void decode_jsonOverMaxReads_tooManyReads() {
        ReadPayloadDecoder small = new ReadPayloadDecoder(3);

        assertThat(decode(small, utf8(jsonReads(4)))).isEqualTo(PayloadError.TOO_MANY_READS);

        assertThat(small.lastErrorDetail()).isEqualTo("more than 3 reads, maximum per batch=3");
        assertThat(batch.size()).isZero();
    }

    @Test
    void constructor_maxBelowOne_throws() {
        assertThatThrownBy(() -> new ReadPayloadDecoder(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxReadsPerBatch=0 must be >= 1");
    }

    // ---------------------------------------------------------------- buffers and batch state

    @Test
    void decode_bufferWithReaderIndexPastPrefix_decodesFromReaderIndexAndLeavesIndicesUnchanged() {
        for (byte[] payload : new byte[][] {hex(DOC_WORKED_EXAMPLE), utf8(jsonReads(2))}) {
            ByteBuf buf = Unpooled.buffer();
            buf.writeBytes(utf8("junk")).writeBytes(payload).writeBytes(utf8("tail"));
            buf.readerIndex(4).writerIndex(4 + payload.length);
            batch.clear();

            assertThat(decoder.decode(buf, batch)).isEqualTo(PayloadError.NONE);

            assertThat(batch.size()).isEqualTo(2);
            assertThat(buf.readerIndex()).isEqualTo(4);
            assertThat(buf.writerIndex()).isEqualTo(4 + payload.length);
            buf.release();
        }
    }

    @Test
    void decode_refusedPayload_leavesReaderIndexUnchanged() {
        ByteBuf buf = Unpooled.wrappedBuffer(utf8("{\"reads\":[{\"tag\":\"XYZ\"}]}"));
        assertThat(decoder.decode(buf, batch)).isEqualTo(PayloadError.JSON_BAD_READ);
        assertThat(buf.readerIndex()).isZero();
        buf.release();
    }

    @Test
    void decode_slicedHeapBuffer_honoursArrayOffset() {
        byte[] payload = utf8(jsonReads(2));
        byte[] padded = new byte[payload.length + 10];
        System.arraycopy(payload, 0, padded, 7, payload.length);
        ByteBuf buf = Unpooled.wrappedBuffer(padded, 7, payload.length);
        assertThat(buf.hasArray()).isTrue();
        assertThat(buf.arrayOffset()).isEqualTo(7);

        assertThat(decoder.decode(buf, batch)).isEqualTo(PayloadError.NONE);

        assertRead(0, "E280000000", 1764380000123L, -40, 0);
        assertRead(1, "E280000001", 1764380000124L, -41, 1);
        buf.release();
    }

    @Test
    void decode_directBuffer_bothForms() {
        byte[][] payloads = {hex(DOC_WORKED_EXAMPLE), utf8(jsonReads(2)), utf8(jsonReads(300))};
        int[] counts = {2, 2, 300};
        for (int p = 0; p < payloads.length; p++) {
            byte[] payload = payloads[p];
            ByteBuf buf = Unpooled.directBuffer(payload.length + 3);
            buf.writeBytes(new byte[3]).writeBytes(payload).readerIndex(3);
            assertThat(buf.hasArray()).isFalse();
            batch.clear();

            assertThat(decoder.decode(buf, batch)).as(String.valueOf(decoder.lastErrorDetail()))
                    .isEqualTo(PayloadError.NONE);

            assertThat(batch.size()).isEqualTo(counts[p]);
            assertThat(buf.readerIndex()).isEqualTo(3);
            buf.release();
        }
        assertRead(299, "E28000012B", 1764380000123L + 299, -(40 + 299 % 50), 299 % 4);
    }

    @Test
    void decode_compositeBufferAfterLargerPayload_reusesScratchCorrectly() {
        byte[] big = utf8(jsonReads(200));
        byte[] small = utf8("{\"reads\":[{\"tag\":\"C0FFEE\"}]}");
        for (byte[] payload : new byte[][] {big, small}) {
            CompositeByteBuf buf = Unpooled.compositeBuffer();
            int half = payload.length / 2;
            buf.addComponents(true, Unpooled.wrappedBuffer(payload, 0, half),
                    Unpooled.wrappedBuffer(payload, half, payload.length - half));
            assertThat(buf.hasArray()).isFalse();
            batch.clear();

            assertThat(decoder.decode(buf, batch)).isEqualTo(PayloadError.NONE);
            buf.release();
        }
        assertThat(batch.size()).isEqualTo(1);
        assertRead(0, "C0FFEE", ReadBatch.NO_TIMESTAMP, ReadBatch.NO_RSSI, ReadBatch.NO_ANTENNA);
    }

    @Test
    void decode_failureAfterEarlierReads_truncatesBackToEntrySize() {
        batch.add(0xAAL, 1L, -1, 1);
        batch.add(0xBBL, 2L, -2, 2);
        byte[] bytes = utf8("{\"reads\":[{\"tag\":\"1\"},{\"tag\":\"2\"},{\"tag\":\"3\",\"rssi\":-500}]}");

        assertThat(decode(bytes)).isEqualTo(PayloadError.JSON_BAD_READ);

        assertThat(batch.size()).isEqualTo(2);
        assertRead(0, "AA", 1L, -1, 1);
        assertRead(1, "BB", 2L, -2, 2);
        assertThat(decoder.lastErrorDetail()).isEqualTo("reads[2]: rssi -500 is out of range -128..127");
    }

    @Test
    void decode_successOnNonEmptyBatch_appendsAfterExistingReads() {
        batch.add(0xAAL, 1L, -1, 1);

        assertThat(decode(hex(DOC_WORKED_EXAMPLE))).isEqualTo(PayloadError.NONE);

        assertThat(batch.size()).isEqualTo(3);
        assertRead(0, "AA", 1L, -1, 1);
        assertRead(1, "9F3A0001C2", 1764380000123L, -58, 2);
    }

    @Test
    void decode_successAfterRefusal_clearsDetail() {
        assertThat(decode(utf8("nope"))).isEqualTo(PayloadError.NOT_JSON_OR_BINARY);
        assertThat(decoder.lastErrorDetail()).isNotNull();

        assertThat(decode(hex(DOC_WORKED_EXAMPLE))).isEqualTo(PayloadError.NONE);

        assertThat(decoder.lastErrorDetail()).isNull();
    }

    /**
     * Not a benchmark: checks the "no allocation per read" contract by comparing what this
     * thread allocates decoding 20 and 2000 reads. The per-payload cost (Jackson's parser) is the
     * same for both, so the difference must stay far under one object per read.
     */
    @Test
    void decode_validPayloads_allocateNothingPerRead() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) mx;
        org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        int few = 20;
        int many = 2000;
        ReadBatch sized = new ReadBatch(many);
        ByteBuf[] payloads = {
            Unpooled.wrappedBuffer(utf8(jsonReads(few))), Unpooled.wrappedBuffer(utf8(jsonReads(many))),
            Unpooled.wrappedBuffer(binaryReads(few)), Unpooled.wrappedBuffer(binaryReads(many)),
            direct(utf8(jsonReads(few))), direct(utf8(jsonReads(many))),
        };
        try {
            for (int pair = 0; pair < payloads.length; pair += 2) {
                long[] cost = new long[2];
                for (int k = 0; k < 2; k++) {
                    ByteBuf payload = payloads[pair + k];
                    long best = Long.MAX_VALUE;
                    for (int round = 0; round < 200; round++) { // warm-up included; keep the minimum
                        sized.clear();
                        long before = threads.getCurrentThreadAllocatedBytes();
                        PayloadError error = decoder.decode(payload, sized);
                        long after = threads.getCurrentThreadAllocatedBytes();
                        assertThat(error).isEqualTo(PayloadError.NONE);
                        best = Math.min(best, after - before);
                    }
                    cost[k] = best;
                }
                long perRead = (cost[1] - cost[0]) / (many - few);
                assertThat(cost[1] - cost[0])
                        .as("payload pair %d: %d bytes for %d reads vs %d bytes for %d reads (%d per read)",
                                pair / 2, cost[1], many, cost[0], few, perRead)
                        .isLessThan(many - few);
            }
        } finally {
            for (ByteBuf b : payloads) {
                b.release();
            }
        }
    }

    private static ByteBuf direct(byte[] bytes) {
        return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    }
}
