package io.tagwatch.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.TestEngine;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Limits bite as back-pressure or a refusal, each counted in /metrics, and lose nothing accepted. */
class MqttLimitsTest {
    private static TestEngine tw;
    private static String admin;

    @BeforeAll
    static void setUp() {
        tw = TestEngine.start(b -> b.maxConnectionsPerAddress(3).readerPublishRate(20).readerPublishBurst(5).inflightWindow(2));
        admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    private static double metric(String name, String label) {
        String text = new io.tagwatch.ApiClient("http://127.0.0.1:" + tw.engine.httpPort()).rawGet("/metrics");
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{" + Pattern.quote(label) + "[^}]*} ([0-9.eE+-]+)$",
                Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void connectionsFromOneAddress_overTheLimit_areClosedAtOnce() throws Exception {
        try (RawMqttClient a = new RawMqttClient(tw.engine.mqttPort());
             RawMqttClient b = new RawMqttClient(tw.engine.mqttPort());
             RawMqttClient c = new RawMqttClient(tw.engine.mqttPort())) {
            Thread.sleep(200);
            try (RawMqttClient d = new RawMqttClient(tw.engine.mqttPort())) {
                assertThat(d.closedByServer(3_000)).isTrue();
            }
        }
        assertThat(metric("tagwatch_mqtt_refusals_total", "reason=\"max_connections_per_address\"")).isPositive();
    }

    @Test
    void aReaderOverItsRateAndWindow_isSlowedDown_andEveryBatchIsAcknowledged() throws Exception {
        String secret = tw.api().createReader(admin, "RR", "centre");
        MqttAsyncClient c = new MqttAsyncClient(tw.broker(), "RR-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("RR");
        o.setPassword(secret.toCharArray());
        o.setMaxInflight(60);
        c.connect(o).waitForCompletion(10_000);
        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 40; i++) {
            io.tagwatch.TestPublisher.publishTracked(c, "tags/RR/reads", MqttProtocolTest.batch(0x30_0000 + i * 10L, 2), i, acked);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (acked.size() < 40 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(acked).hasSize(40);
        assertThat(metric("tagwatch_mqtt_backpressure_total", "reason=\"publish_rate\"")).isPositive();
        assertThat(metric("tagwatch_mqtt_backpressure_total", "reason=\"inflight_window\"")).isPositive();
        c.disconnect().waitForCompletion(5_000);
        c.close();
    }
}
