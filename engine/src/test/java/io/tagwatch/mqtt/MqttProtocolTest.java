package io.tagwatch.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.tagwatch.TestEngine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MQTT details a reader's firmware relies on: QoS 2, CONNACK limits, refusals, liveness. */
class MqttProtocolTest {
    private static TestEngine tw;
    private static String admin;
    private static String secret;

    @BeforeAll
    static void setUp() {
        tw = TestEngine.start(b -> b.dedupWindow(Duration.ofSeconds(1)).inflightWindow(32).maxKeepAlive(120)
                .connectTimeout(Duration.ofMillis(500)));
        admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        secret = tw.api().createReader(admin, "RP", "centre");
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    static byte[] batch(long firstTag, int n) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(14 + 14 * n);
        b.put((byte) 'T').put((byte) 'W').put((byte) 1).put((byte) 0).putShort((short) n).putLong(System.currentTimeMillis());
        for (int i = 0; i < n; i++) {
            b.putLong(firstTag + i).putInt(i).put((byte) -60).put((byte) 1);
        }
        return b.array();
    }

    private static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    private static void awaitReads(long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (tw.engine.ingest().stats().reads() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void qos2_duplicateBeforePubrel_isRecordedAgainButCountedOnce() throws Exception {
        long before = tw.engine.ingest().stats().reads();
        try (RawMqttClient c = new RawMqttClient(tw.engine.mqttPort())) {
            MqttConnAckMessage ack = (MqttConnAckMessage) c.connect("RP-raw", "RP", secret, 30, null, null);
            assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            c.publish("tags/RP/reads", batch(0x20_0000, 5), MqttQoS.EXACTLY_ONCE, 7, false);
            MqttMessage rec = c.read(5_000);
            assertThat(rec.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
            assertThat(packetId(rec)).isEqualTo(7);
            c.publish("tags/RP/reads", batch(0x20_0000, 5), MqttQoS.EXACTLY_ONCE, 7, true);
            MqttMessage rec2 = c.read(5_000);
            assertThat(rec2.fixedHeader().messageType()).as("a resend before PUBREL gets PUBREC again").isEqualTo(MqttMessageType.PUBREC);
            c.pubRel(7);
            MqttMessage comp = c.read(5_000);
            assertThat(comp.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBCOMP);
            assertThat(packetId(comp)).isEqualTo(7);
            c.publish("tags/RP/reads", batch(0x21_0000, 3), MqttQoS.AT_LEAST_ONCE, 8, false);
            assertThat(c.read(5_000).fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        }
        awaitReads(before + 8);
        Thread.sleep(300);
        assertThat(tw.engine.ingest().stats().reads() - before).as("5 reads once, then 3").isEqualTo(8);
    }

    @Test
    void aBurstOfQos1Batches_isAcknowledgedWhole_inTheOrderSent_andQos0GetsNoAck() throws Exception {
        long before = tw.engine.ingest().stats().reads();
        java.util.List<Integer> acked = new java.util.ArrayList<>();
        try (RawMqttClient c = new RawMqttClient(tw.engine.mqttPort())) {
            c.connect("RP-burst", "RP", secret, 30, null, null);
            for (int id = 1; id <= 30; id++) { // within the in-flight window of 32: all sent before any ack
                c.publish("tags/RP/reads", batch(0x30_0000 + id * 100L, 4), MqttQoS.AT_LEAST_ONCE, id, false);
                if (id % 10 == 0) {
                    c.publish("tags/RP/reads", batch(0x40_0000 + id * 100L, 1), MqttQoS.AT_MOST_ONCE, 0, false);
                }
            }
            MqttMessage m;
            while (acked.size() < 30 && (m = c.read(5_000)) != null) {
                assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
                acked.add(packetId(m));
            }
            assertThat(c.read(300)).as("nothing more: QoS 0 is not acknowledged").isNull();
        }
        assertThat(acked).isEqualTo(java.util.stream.IntStream.rangeClosed(1, 30).boxed().toList());
        awaitReads(before + 123);
        assertThat(tw.engine.ingest().stats().reads() - before).isEqualTo(123);
    }

    private static MqttAsyncClient paho5(MqttConnectionOptions o) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(tw.broker(), "RP-v5-" + System.nanoTime(), new MemoryPersistence());
        o.setUserName("RP");
        o.setPassword(secret.getBytes(StandardCharsets.UTF_8));
        c.connect(o).waitForCompletion(10_000);
        return c;
    }

    @Test
    void connack5_tellsTheClientTheServersLimits_andQos2Completes() throws Exception {
        MqttConnectionOptions o = new MqttConnectionOptions();
        // Asks for more than the server allows: the server imposes its maximum. (Asking for none, 0,
        // takes the same branch, but Paho 1.2.5 then checks write activity against a keep-alive of
        // 0 before it applies the server's, and now and then fails the connection with 32002.)
        o.setKeepAliveInterval(3_600);
        MqttAsyncClient c = new MqttAsyncClient(tw.broker(), "RP-v5-" + System.nanoTime(), new MemoryPersistence());
        o.setUserName("RP");
        o.setPassword(secret.getBytes(StandardCharsets.UTF_8));
        IMqttToken t = c.connect(o);
        t.waitForCompletion(10_000);
        MqttProperties p = t.getResponseProperties();
        assertThat(p.getReceiveMaximum()).isEqualTo(32);
        assertThat(p.getMaximumPacketSize()).isEqualTo(256L * 1024);
        assertThat(p.getTopicAliasMaximum()).isZero();
        assertThat(p.getServerKeepAlive()).isEqualTo(120);
        assertThat(p.getMaximumQoS()).as("absent: QoS 2 is supported").isNull();
        assertThat(p.isRetainAvailable()).isFalse();
        long before = tw.engine.ingest().stats().reads();
        org.eclipse.paho.mqttv5.common.MqttMessage m = new org.eclipse.paho.mqttv5.common.MqttMessage(batch(0x22_0000, 4));
        m.setQos(2);
        c.publish("tags/RP/reads", m).waitForCompletion(10_000);
        awaitReads(before + 4);
        assertThat(tw.engine.ingest().stats().reads() - before).isEqualTo(4);
        c.disconnect().waitForCompletion(5_000);
        c.close();
    }

    @Test
    void connect5_withAnAuthenticationMethod_isRefused0x8C() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setAuthMethod("SCRAM-SHA-256");
        assertThatThrownBy(() -> paho5(o)).isInstanceOf(MqttException.class)
                .extracting(e -> ((MqttException) e).getReasonCode()).isEqualTo(0x8C);
    }

    private static JsonNode reader(String id) {
        for (JsonNode r : tw.call("GET", "/api/readers", admin, null).body().get("items")) {
            if (r.get("id").asText().equals(id)) {
                return r;
            }
        }
        throw new AssertionError("no reader " + id);
    }

    private static JsonNode awaitReader(String id, Predicate<JsonNode> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode r = reader(id);
        while (!condition.test(r) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            r = reader(id);
        }
        return r;
    }

    @Test
    void liveness_followsConnection_statusIsKept_andTheWillReplacesItWhenTheReaderDrops() throws Exception {
        String s2 = tw.api().createReader(admin, "RL", "harbour");
        assertThat(reader("RL").get("online").asBoolean()).isFalse();
        RawMqttClient c = new RawMqttClient(tw.engine.mqttPort());
        c.connect("RL", "RL", s2, 30, "tags/RL/status", "{\"state\":\"lost\"}");
        JsonNode online = awaitReader("RL", r -> r.get("online").asBoolean());
        assertThat(online.get("online").asBoolean()).isTrue();
        assertThat(online.get("since").asText()).isNotEmpty();
        c.publish("tags/RL/status", "{\"battery\":87,\"firmware\":\"2.3.1\"}".getBytes(StandardCharsets.UTF_8),
                MqttQoS.AT_LEAST_ONCE, 1, false);
        assertThat(c.read(5_000).fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        assertThat(reader("RL").get("lastStatus").get("battery").asInt()).isEqualTo(87);

        c.drop();
        JsonNode offline = awaitReader("RL", r -> !r.get("online").asBoolean());
        assertThat(offline.get("online").asBoolean()).isFalse();
        assertThat(offline.get("lastStatus").get("state").asText()).as("the will, published on the drop").isEqualTo("lost");

        RawMqttClient again = new RawMqttClient(tw.engine.mqttPort());
        again.connect("RL", "RL", s2, 30, "tags/RL/status", "{\"state\":\"lost again\"}");
        awaitReader("RL", r -> r.get("online").asBoolean());
        again.send(new MqttMessage(new io.netty.handler.codec.mqtt.MqttFixedHeader(MqttMessageType.DISCONNECT, false,
                MqttQoS.AT_MOST_ONCE, false, 0)));
        JsonNode clean = awaitReader("RL", r -> !r.get("online").asBoolean());
        assertThat(clean.get("lastStatus").get("state").asText()).as("a clean DISCONNECT discards the will").isEqualTo("lost");
        again.close();
    }

    @Test
    void aPacketOverTheMaximumSize_closesTheConnection_andIsCounted() throws Exception {
        try (RawMqttClient c = new RawMqttClient(tw.engine.mqttPort())) {
            c.connect("RP-big", "RP", secret, 30, null, null);
            boolean closed;
            try {
                c.publish("tags/RP/reads", new byte[300 * 1024], MqttQoS.AT_LEAST_ONCE, 5, false);
                closed = c.closedByServer(5_000);
            } catch (java.io.IOException e) {
                closed = true; // the server closed while the packet was still being written
            }
            assertThat(closed).isTrue();
        }
        assertThat(tw.api().rawGet("/metrics")).containsPattern("tagwatch_mqtt_refusals_total\\{reason=\"malformed_packet\"[^}]*} [1-9]");
    }

    @Test
    void aReaderWhoseClockIsOff_isFlaggedInTheApi() throws Exception {
        String s3 = tw.api().createReader(admin, "RD", "harbour");
        for (int i = 0; i < 3; i++) {
            io.tagwatch.TestPublisher.readOnce(tw.broker(), "RD", s3, "D0" + i, System.currentTimeMillis() - 120_000);
        }
        JsonNode r = awaitReader("RD", x -> x.get("clockDriftFlagged").asBoolean());
        assertThat(r.get("clockDriftMs").asLong()).isBetween(110_000L, 130_000L);
        assertThat(r.get("silent").asBoolean()).isFalse();
        // The reader's habit, learned per hour of the day: the hour of its batches has a gap.
        assertThat(r.get("usualGapByHourMs")).hasSize(24);
        assertThat(r.get("usualGapThisHourMs").isNumber()).as("usual gap at this hour: %s", r).isTrue();
    }

    @Test
    void aConnectionThatSendsNoConnect_isClosedAfterTheConnectTimeout() throws Exception {
        try (RawMqttClient c = new RawMqttClient(tw.engine.mqttPort())) {
            assertThat(c.closedByServer(5_000)).isTrue();
        }
    }
}
