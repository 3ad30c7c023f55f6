package io.tagwatch.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.tagwatch.TestEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.slf4j.LoggerFactory;

/**
 * Random and mutated MQTT frames (after a valid CONNECT, and without one) against a running
 * engine, with Netty's leak detector at PARANOID: the server never crashes, never leaks a
 * buffer, logs no error of its own, and keeps serving well-behaved clients. The corpus of nasty
 * frames in {@code src/test/resources/mqtt-corpus} is replayed too.
 */
class MqttFuzzTest {
    private static TestEngine tw;
    private static String secret;
    private static ListAppender<ILoggingEvent> errors;

    @BeforeContainer
    static void setUp() {
        tw = TestEngine.start(b -> b.connectTimeout(java.time.Duration.ofSeconds(2)).maxConnectionsPerAddress(10_000));
        secret = tw.api().createReader(tw.login("admin", TestEngine.ADMIN_PASSWORD), "RF", "centre");
        errors = new ListAppender<>();
        errors.start();
        for (String name : List.of("io.netty", "io.tagwatch")) {
            Logger l = (Logger) LoggerFactory.getLogger(name);
            l.addAppender(errors);
        }
    }

    @AfterContainer
    static void tearDown() throws Exception {
        try {
            // Leaks are reported when the garbage collector finds an unreleased buffer.
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(100);
                io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(1024).release();
            }
            assertThat(errors.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                    .map(ILoggingEvent::getFormattedMessage)).as("errors or leaks logged while fuzzing").isEmpty();
            assertStillServing();
        } finally {
            tw.close();
        }
    }

    private static byte[] encode(MqttMessage... messages) {
        EmbeddedChannel ch = new EmbeddedChannel(MqttEncoder.INSTANCE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (MqttMessage m : messages) {
            ch.writeOutbound(m);
            ByteBuf b;
            while ((b = ch.readOutbound()) != null) {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                b.release();
                out.writeBytes(bytes);
            }
        }
        ch.finishAndReleaseAll();
        return out.toByteArray();
    }

    private static byte[] connect() {
        return encode(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId("RF-fuzz")
                .cleanSession(true).keepAlive(30).username("RF").password(secret.getBytes(StandardCharsets.UTF_8)).build());
    }

    private static byte[] publish(int qos, byte[] payload) {
        return encode(MqttMessageBuilders.publish().topicName("tags/RF/reads").qos(MqttQoS.valueOf(qos)).messageId(9)
                .retained(false).payload(Unpooled.wrappedBuffer(payload)).build());
    }

    /** Sends the bytes, reads whatever comes back for a moment, closes. */
    private static void exchange(byte[] bytes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", tw.engine.mqttPort())) {
            s.setSoTimeout(150);
            try {
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
            } catch (IOException e) {
                return; // the server closed on us mid-write: a refusal
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                while (in.read(buf) >= 0) {
                    // drain
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // quiet or reset: both are fine answers to garbage
            }
        }
    }

    private static void assertStillServing() throws IOException {
        try (RawMqttClient c = new RawMqttClient(tw.engine.mqttPort())) {
            MqttMessage ack = c.connect("RF-check-" + System.nanoTime(), "RF", secret, 30, null, null);
            assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
            c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
            assertThat(c.read(5_000).fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGRESP);
        }
    }

    @Property(tries = 300)
    void afterAValidConnect_mutatedPublishesAndGarbage_doNoHarm(@ForAll("afterConnect") byte[] tail) throws IOException {
        byte[] head = connect();
        byte[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        exchange(all);
    }

    @Property(tries = 200)
    void withoutConnect_randomBytes_doNoHarm(@ForAll("garbage") byte[] bytes) throws IOException {
        exchange(bytes);
    }

    @Example
    void corpusOfNastyFrames_doNoHarm() throws IOException {
        Path dir = Path.of("src/test/resources/mqtt-corpus");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".hex")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(10);
        for (Path f : files) {
            String hex = Files.readAllLines(f).stream().filter(l -> !l.startsWith("#")).reduce("", String::concat).trim();
            exchange(HexFormat.of().parseHex(hex));
            byte[] head = connect();
            byte[] frame = HexFormat.of().parseHex(hex);
            byte[] both = java.util.Arrays.copyOf(head, head.length + frame.length);
            System.arraycopy(frame, 0, both, head.length, frame.length);
            exchange(both);
            assertStillServing();
        }
    }

    @Provide
    Arbitrary<byte[]> afterConnect() {
        Arbitrary<byte[]> validBatch = Arbitraries.integers().between(0, 2).map(q -> publish(q, MqttProtocolTest.batch(0x70_0000, 3)));
        Arbitrary<byte[]> mutated = Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1).ofMaxSize(6)
                .map(ops -> {
                    byte[] p = publish(ops.get(0) % 3, MqttProtocolTest.batch(0x71_0000, 2));
                    for (int op : ops) {
                        if (p.length == 0) {
                            break;
                        }
                        int at = (op >>> 2) % p.length;
                        switch (op & 3) {
                            case 0 -> p[at] = (byte) (op >>> 16);
                            case 1 -> p = java.util.Arrays.copyOf(p, at);
                            default -> p[at] ^= (byte) (1 << ((op >>> 10) & 7));
                        }
                    }
                    return p;
                });
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Arbitraries.oneOf(validBatch, mutated, random).list().ofMinSize(1).ofMaxSize(5).map(parts -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            parts.forEach(out::writeBytes);
            return out.toByteArray();
        });
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        List<Arbitrary<byte[]>> kinds = new ArrayList<>();
        kinds.add(Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(400));
        kinds.add(Arbitraries.integers().between(0, Integer.MAX_VALUE).map((Integer op) -> {
            byte[] c = connect();
            c[(op >>> 3) % c.length] = (byte) (op & 0xFF);
            return c;
        }));
        return Arbitraries.oneOf(kinds);
    }
}
