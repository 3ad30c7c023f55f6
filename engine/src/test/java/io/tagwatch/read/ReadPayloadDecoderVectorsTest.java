package io.tagwatch.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the protocol v1 vectors through the decoder, one dynamic test per vector. The vectors
 * are the agreed ones of {@code shared/vectors/protocol-v1.json}; the repository keeps a copy
 * ({@code src/test/resources/vectors/protocol-v1.json}) so a clone tests on its own, and
 * {@link #repositoryCopy_equalsTheSharedVectors_whenTheyAreBeside} catches any drift where the
 * shared file is present (it is beside the clone in CI).
 */
class ReadPayloadDecoderVectorsTest {
    static final String PROPERTY = "tagwatch.vectors";
    static final String RESOURCE = "/vectors/protocol-v1.json";

    private static JsonNode vectors() throws IOException {
        try (var in = ReadPayloadDecoderVectorsTest.class.getResourceAsStream(RESOURCE)) {
            assertThat(in).as("test resource %s", RESOURCE).isNotNull();
            JsonNode root = new ObjectMapper().readTree(in);
            assertThat(root.path("valid").size()).as("valid vectors").isPositive();
            assertThat(root.path("invalid").size()).as("invalid vectors").isPositive();
            return root;
        }
    }

    @org.junit.jupiter.api.Test
    void repositoryCopy_equalsTheSharedVectors_whenTheyAreBeside() throws IOException {
        String configured = System.getProperty(PROPERTY);
        List<Path> candidates = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            candidates.add(Paths.get(configured));
        }
        candidates.add(Paths.get("../../shared/vectors/protocol-v1.json"));
        candidates.add(Paths.get("../shared/vectors/protocol-v1.json"));
        for (Path shared : candidates) {
            if (Files.isRegularFile(shared)) {
                assertThat(new ObjectMapper().readTree(shared.toFile()))
                        .as("shared vectors %s changed: copy them to src/test/resources%s", shared.toAbsolutePath(), RESOURCE)
                        .isEqualTo(vectors());
                return;
            }
        }
        org.junit.jupiter.api.Assumptions.abort("shared/ is not beside this clone; the repository copy is used");
    }

    private static byte[] payload(JsonNode vector) {
        if (vector.hasNonNull("hex")) {
            return HexFormat.of().parseHex(vector.get("hex").asText());
        }
        if (vector.hasNonNull("text")) {
            return vector.get("text").asText().getBytes(StandardCharsets.UTF_8);
        }
        return fail("vector " + vector.path("name").asText() + " has neither hex nor text");
    }

    @TestFactory
    Stream<DynamicTest> decode_validVector_producesExpectedReads() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode vector : vectors().get("valid")) {
            String name = vector.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                ReadPayloadDecoder decoder = new ReadPayloadDecoder(10_000);
                ReadBatch batch = new ReadBatch(4);
                ByteBuf buf = Unpooled.wrappedBuffer(payload(vector));
                try {
                    PayloadError error = decoder.decode(buf, batch);
                    assertThat(error).as("%s: error (detail: %s)", name, decoder.lastErrorDetail())
                            .isEqualTo(PayloadError.NONE);
                    assertThat(decoder.lastErrorDetail()).as("%s: detail", name).isNull();
                    JsonNode reads = vector.get("reads");
                    assertThat(reads).as("%s: expected reads", name).isNotNull();
                    assertThat(batch.size()).as("%s: read count", name).isEqualTo(reads.size());
                    for (int i = 0; i < reads.size(); i++) {
                        assertRead(name, batch, i, reads.get(i));
                    }
                } finally {
                    buf.release();
                }
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> decode_invalidVector_refusedWhole() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode vector : vectors().get("invalid")) {
            String name = vector.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                ReadPayloadDecoder decoder = new ReadPayloadDecoder(10_000);
                ReadBatch batch = new ReadBatch(4);
                ByteBuf buf = Unpooled.wrappedBuffer(payload(vector));
                try {
                    PayloadError error = decoder.decode(buf, batch);
                    assertThat(error).as("%s: error", name).isNotEqualTo(PayloadError.NONE);
                    assertThat(batch.size()).as("%s: reads left in the batch", name).isZero();
                    assertThat(decoder.lastErrorDetail()).as("%s: detail", name).isNotBlank();
                } finally {
                    buf.release();
                }
            }));
        }
        return tests.stream();
    }

    private static void assertRead(String name, ReadBatch batch, int i, JsonNode expected) {
        String at = name + ": read " + i;
        assertThat(TagIds.format(batch.tag(i))).as(at + " tag").isEqualTo(expected.get("tag").asText());
        JsonNode ts = expected.get("ts");
        if (ts == null || ts.isNull()) {
            assertThat(batch.timestamp(i)).as(at + " ts").isEqualTo(ReadBatch.NO_TIMESTAMP);
        } else {
            assertThat(batch.timestamp(i)).as(at + " ts").isEqualTo(ts.asLong());
        }
        JsonNode rssi = expected.get("rssi");
        if (rssi == null || rssi.isNull()) {
            assertThat(batch.rssi(i)).as(at + " rssi").isEqualTo(ReadBatch.NO_RSSI);
        } else {
            assertThat(batch.rssi(i)).as(at + " rssi").isEqualTo(rssi.asInt());
        }
        JsonNode ant = expected.get("ant");
        if (ant == null || ant.isNull()) {
            assertThat(batch.antenna(i)).as(at + " ant").isEqualTo(ReadBatch.NO_ANTENNA);
        } else {
            assertThat(batch.antenna(i)).as(at + " ant").isEqualTo(ant.asInt());
        }
    }
}
