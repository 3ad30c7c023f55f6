package io.tagwatch.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.TestEngine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;

/** At the journal's cap a 5.0 reader is told 0x97 (quota exceeded) and nothing is acknowledged as safe. */
class JournalFullTest {
    @Test
    void journalAtItsCap_answers0x97_andSaysSoInMetrics() throws Exception {
        // No checkpoint frees the journal during this test: a tiny cap fills after a few dozen batches.
        try (TestEngine tw = TestEngine.start(b -> b.journalSegmentBytes(4096).journalCapBytes(8192)
                .checkpointInterval(Duration.ofHours(1)).unregisteredHits(false))) {
            String secret = tw.api().createReader(tw.login("admin", TestEngine.ADMIN_PASSWORD), "RJ", "centre");
            MqttAsyncClient c = new MqttAsyncClient(tw.broker(), "RJ-" + System.nanoTime(), new MemoryPersistence());
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName("RJ");
            o.setPassword(secret.getBytes(StandardCharsets.UTF_8));
            c.connect(o).waitForCompletion(10_000);
            int refusedAt = -1;
            for (int i = 0; i < 200 && refusedAt < 0; i++) {
                MqttMessage m = new MqttMessage(MqttProtocolTest.batch(0x60_0000 + i * 100L, 10));
                m.setQos(1);
                int reason;
                try {
                    IMqttToken t = c.publish("tags/RJ/reads", m);
                    t.waitForCompletion(10_000);
                    int[] codes = t.getReasonCodes();
                    reason = codes == null || codes.length == 0 ? 0 : codes[0];
                } catch (MqttException e) {
                    reason = e.getReasonCode();
                }
                if (reason == 0x97) {
                    refusedAt = i;
                } else {
                    assertThat(reason).as("batch %d", i).isZero();
                }
            }
            assertThat(refusedAt).as("a batch refused with 0x97 once the journal is full").isPositive();
            assertThat(tw.engine.journal().full()).isTrue();
            assertThat(tw.api().rawGet("/metrics")).contains("tagwatch_journal_full 1.0")
                    .containsPattern("tagwatch_mqtt_refusals_total\\{reason=\"journal_full\"[^}]*} [1-9]");
            c.disconnectForcibly(2_000);
            c.close();
        }
    }
}
