package io.tagwatch.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Whatever bytes a reader sends, the decoder answers NONE or a specific refusal, never throws,
 * and leaves nothing of a refused batch behind.
 */
class ReadPayloadDecoderFuzzTest {
    private static final byte[] BINARY = HexFormat.of().parseHex(
            "5457010000030000019acd3e3f7b000000000000000100000000d801fffffffffffffff0000005dca60400000000abcdef01000100000000");
    private static final byte[] JSON = "{\"reads\":[{\"tag\":\"9F3A0001C2\",\"ts\":1764380000123,\"rssi\":-58,\"ant\":2},{\"tag\":\"A1\"}]}"
            .getBytes(StandardCharsets.UTF_8);

    private static void decodesOrRefusesCleanly(byte[] payload) {
        ReadPayloadDecoder d = new ReadPayloadDecoder(1_000);
        ReadBatch b = new ReadBatch(4);
        ByteBuf buf = Unpooled.wrappedBuffer(payload);
        PayloadError e = d.decode(buf, b);
        assertThat(e).isNotNull();
        assertThat(buf.readerIndex()).isZero();
        if (e == PayloadError.NONE) {
            for (int i = 0; i < b.size(); i++) {
                assertThat(TagIds.parse(TagIds.format(b.tag(i)))).isEqualTo(b.tag(i));
            }
        } else {
            assertThat(b.size()).as("nothing kept of a refused batch (%s)", e).isZero();
            assertThat(d.lastErrorDetail()).isNotBlank();
        }
    }

    @Property(tries = 2000)
    void randomBytes_areDecodedOrRefused(@ForAll @Size(max = 600) byte[] payload) {
        decodesOrRefusesCleanly(payload);
    }

    @Property(tries = 2000)
    void mutatedBinaryBatches_areDecodedOrRefused(@ForAll("binaryMutations") byte[] payload) {
        decodesOrRefusesCleanly(payload);
    }

    @Property(tries = 2000)
    void mutatedJsonBatches_areDecodedOrRefused(@ForAll("jsonMutations") byte[] payload) {
        decodesOrRefusesCleanly(payload);
    }

    @Provide
    Arbitrary<byte[]> binaryMutations() {
        return mutationsOf(BINARY);
    }

    @Provide
    Arbitrary<byte[]> jsonMutations() {
        return mutationsOf(JSON);
    }

    /** A valid payload with bytes flipped, cut short or extended. */
    private static Arbitrary<byte[]> mutationsOf(byte[] valid) {
        return Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1).ofMaxSize(8).map(ops -> {
            byte[] p = valid.clone();
            for (int op : ops) {
                int kind = op % 3;
                int at = (op / 3) % Math.max(1, p.length);
                if (kind == 0 && p.length > 0) {
                    p[at] = (byte) (op >>> 8);
                } else if (kind == 1) {
                    p = java.util.Arrays.copyOf(p, at);
                } else {
                    p = java.util.Arrays.copyOf(p, p.length + 1 + (op >>> 24) % 16);
                }
            }
            return p;
        });
    }
}
