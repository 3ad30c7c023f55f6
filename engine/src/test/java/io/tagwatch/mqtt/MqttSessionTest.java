package io.tagwatch.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.TestEngine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A patrol car's console goes out of coverage: its persistent session keeps the alerts meanwhile. */
class MqttSessionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestEngine tw;
    private static final String[] READERS = {"SA", "SB", "SC", "SD", "SE", "SF", "SG"};
    private static final Map<String, String> SECRETS = new java.util.HashMap<>();
    private static int nextReader;
    private static volatile boolean lastSessionPresent;

    @BeforeAll
    static void setUp() {
        tw = TestEngine.start(b -> b.dedupWindow(Duration.ofSeconds(30)).sessionQueue(2));
        String admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        for (String r : READERS) {
            SECRETS.put(r, tw.api().createReader(admin, r, "north"));
        }
        assertThat(tw.call("POST", "/api/users", admin, Map.of("username", "car7", "password", "car7-password",
                "role", "officer", "district", "north")).status()).isEqualTo(201);
        long v = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "M-7", "tag", "5E55", "kind", "motorcycle",
                "owner", Map.of("name", "P", "phone", "7"))).body().get("id").asLong();
        assertThat(tw.call("POST", "/api/vehicles/" + v + "/theft", admin, null).status()).isEqualTo(201);
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    /** The stolen vehicle passes the next reader: one more alert. */
    private static String stolenPasses() throws Exception {
        String r = READERS[nextReader++];
        io.tagwatch.TestPublisher.readOnce(tw.broker(), r, SECRETS.get(r), "5E55");
        return r;
    }

    private static MqttAsyncClient console(String clientId, boolean clean, BlockingQueue<String> received) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(tw.broker(), clientId, new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) throws Exception {
                received.add(JSON.readTree(m.getPayload()).get("reader").get("id").asText());
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("car7");
        o.setPassword("car7-password".toCharArray());
        o.setCleanSession(clean);
        IMqttToken t = c.connect(o);
        t.waitForCompletion(10_000);
        // Kept apart from the alerts: queued alerts may arrive before connect() returns.
        lastSessionPresent = t.getSessionPresent();
        return c;
    }

    private static long subscriberConnections() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^tagwatch_mqtt_subscriber_connections ([0-9.eE+-]+)$",
                java.util.regex.Pattern.MULTILINE).matcher(tw.api().rawGet("/metrics"));
        assertThat(m.find()).as("tagwatch_mqtt_subscriber_connections in /metrics").isTrue();
        return Math.round(Double.parseDouble(m.group(1)));
    }

    private static void awaitSubscriberConnections(long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (subscriberConnections() != n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(subscriberConnections()).isEqualTo(n);
    }

    /** Alerts must not wait behind readers' traffic: a console's connection leaves the readers' loops at CONNECT. */
    @Test
    void anOfficersConsole_isServedOnTheSubscribersEventLoop_andAReaderIsNot() throws Exception {
        long before = subscriberConnections();
        try (RawMqttClient reader = new RawMqttClient(tw.engine.mqttPort())) {
            reader.connect("SG-loop-check", "SG", SECRETS.get("SG"), 30, null, null);
            try (RawMqttClient console = new RawMqttClient(tw.engine.mqttPort())) {
                io.netty.handler.codec.mqtt.MqttConnAckMessage ack = (io.netty.handler.codec.mqtt.MqttConnAckMessage)
                        console.connect("car-loop-check", "car7", "car7-password", 30, null, null);
                assertThat(ack.variableHeader().connectReturnCode())
                        .isEqualTo(io.netty.handler.codec.mqtt.MqttConnectReturnCode.CONNECTION_ACCEPTED);
                assertThat(subscriberConnections()).as("the console, not the reader").isEqualTo(before + 1);
                console.send(io.netty.handler.codec.mqtt.MqttMessageBuilders.subscribe().messageId(1)
                        .addSubscription(io.netty.handler.codec.mqtt.MqttQoS.AT_MOST_ONCE, "alerts/north").build());
                assertThat(console.read(5_000).fixedHeader().messageType())
                        .isEqualTo(io.netty.handler.codec.mqtt.MqttMessageType.SUBACK);
            }
            awaitSubscriberConnections(before);
        }
    }

    @Test
    void aQos1AlertNotAcknowledged_isSentAgainWithDup_whenThePersistentSessionReconnects() throws Exception {
        try (RawMqttClient c = new RawMqttClient(tw.engine.mqttPort())) {
            c.connect("car-9", "car7", "car7-password", 30, null, null, false);
            c.send(io.netty.handler.codec.mqtt.MqttMessageBuilders.subscribe().messageId(1)
                    .addSubscription(io.netty.handler.codec.mqtt.MqttQoS.AT_LEAST_ONCE, "alerts/north").build());
            assertThat(c.read(5_000).fixedHeader().messageType()).isEqualTo(io.netty.handler.codec.mqtt.MqttMessageType.SUBACK);
            stolenPasses();
            io.netty.handler.codec.mqtt.MqttPublishMessage first = (io.netty.handler.codec.mqtt.MqttPublishMessage) c.read(5_000);
            assertThat(first.fixedHeader().isDup()).isFalse();
            first.release();
            c.drop(); // gone without a PUBACK
        }
        Thread.sleep(300);
        try (RawMqttClient again = new RawMqttClient(tw.engine.mqttPort())) {
            io.netty.handler.codec.mqtt.MqttConnAckMessage ack = (io.netty.handler.codec.mqtt.MqttConnAckMessage)
                    again.connect("car-9", "car7", "car7-password", 30, null, null, false);
            assertThat(ack.variableHeader().isSessionPresent()).isTrue();
            io.netty.handler.codec.mqtt.MqttPublishMessage resent = (io.netty.handler.codec.mqtt.MqttPublishMessage) again.read(5_000);
            assertThat(resent).as("the unacknowledged alert, again").isNotNull();
            assertThat(resent.fixedHeader().isDup()).isTrue();
            assertThat(resent.variableHeader().topicName()).isEqualTo("alerts/north");
            resent.release();
        }
        try (RawMqttClient discard = new RawMqttClient(tw.engine.mqttPort())) {
            discard.connect("car-9", "car7", "car7-password", 30, null, null, true); // end the session
        }
    }

    @Test
    void persistentSession_keepsAlertsWhileOffline_deliversThemOnReconnect_andDropsTheOldestPastItsQueue() throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        MqttAsyncClient first = console("car-7", false, got);
        assertThat(lastSessionPresent).isFalse();
        first.subscribe("alerts/north", 1).waitForCompletion(10_000);
        String online = stolenPasses();
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(online);
        first.disconnect().waitForCompletion(5_000);
        first.close();

        // out of coverage: three alerts, the session keeps the newest two
        stolenPasses();
        String second = stolenPasses();
        String third = stolenPasses();
        Thread.sleep(500);

        MqttAsyncClient back = console("car-7", false, got);
        assertThat(lastSessionPresent).isTrue();
        List<String> delivered = new java.util.ArrayList<>();
        String next;
        while ((next = got.poll(1_500, TimeUnit.MILLISECONDS)) != null) {
            delivered.add(next);
        }
        // The alert received just before going offline may come again: if the console's PUBACK
        // had not reached the server, it is an unacknowledged QoS 1 alert and is resent (DUP).
        delivered.remove(online);
        assertThat(delivered).as("the queue kept the newest two").containsExactly(second, third);
        String metrics = tw.api().rawGet("/metrics");
        assertThat(metrics).containsPattern("tagwatch_mqtt_session_alerts_dropped_total(\\{[^}]*})? [1-9]");
        back.disconnect().waitForCompletion(5_000);
        back.close();

        // a clean session starts with nothing
        MqttAsyncClient fresh = console("car-7", true, got);
        assertThat(lastSessionPresent).isFalse();
        fresh.disconnect().waitForCompletion(5_000);
        fresh.close();
        stolenPasses();
        MqttAsyncClient after = console("car-7", false, got);
        assertThat(lastSessionPresent).as("the clean session was not kept").isFalse();
        assertThat(got.poll(500, TimeUnit.MILLISECONDS)).isNull();
        after.disconnect().waitForCompletion(5_000);
        after.close();
    }
}
