package io.tagwatch.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.Mqtt5Reader;
import io.tagwatch.TestEngine;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * At the journal's cap a 5.0 reader is told 0x97 (quota exceeded) and nothing is acknowledged as
 * safe; a 3.1.1 reader, which cannot be told, has its batch held and acknowledged once there is room.
 */
class JournalFullTest {
    @Test
    void journalAtItsCap_answers0x97_andSaysSoInMetrics() throws Exception {
        // No checkpoint frees the journal during this test: a tiny cap fills after a few dozen batches.
        try (TestEngine tw = TestEngine.start(b -> b.journalSegmentBytes(4096).journalCapBytes(8192)
                .checkpointInterval(Duration.ofHours(1)).unregisteredHits(false))) {
            String secret = tw.api().createReader(tw.login("admin", TestEngine.ADMIN_PASSWORD), "RJ", "centre");
            Mqtt5Reader c = new Mqtt5Reader(tw.broker(), "RJ", secret);
            int refusedAt = -1;
            for (int i = 0; i < 200 && refusedAt < 0; i++) {
                int reason = c.publish(MqttProtocolTest.batch(0x60_0000 + i * 100L, 10));
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
            c.close();
        }
    }

    @Test
    void journalAtItsCap_holdsA311ReadersBatches_andAcknowledgesThemOnceThereIsRoom() throws Exception {
        // 300 batches of 10 reads are ~50 KB of journal; the cap is 8 KB and a checkpoint frees it once a second,
        // so the reader meets the cap many times over. Each publish waits for its PUBACK (Paho, 3.1.1, QoS 1):
        // a batch read at the cap and left unacknowledged would hang it (clients resend only on reconnect).
        try (TestEngine tw = TestEngine.start(b -> b.journalSegmentBytes(4096).journalCapBytes(8192)
                .checkpointInterval(Duration.ofSeconds(1)).unregisteredHits(false))) {
            String secret = tw.api().createReader(tw.login("admin", TestEngine.ADMIN_PASSWORD), "RH", "centre");
            MqttClient c = new MqttClient(tw.broker(), "RH-held", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setUserName("RH");
            o.setPassword(secret.toCharArray());
            c.setTimeToWait(30_000);
            c.connect(o);
            int batches = 300;
            for (int i = 0; i < batches; i++) {
                c.publish("tags/RH/reads", MqttProtocolTest.batch(0x70_0000 + i * 10L, 10), 1, false);
            }
            c.disconnect();
            c.close();
            String metrics = tw.api().rawGet("/metrics");
            assertThat(metrics).as("the journal was at its cap while the reader published")
                    .containsPattern("tagwatch_mqtt_refusals_total\\{reason=\"journal_full\"[^}]*} [1-9]");
            assertThat(metric(metrics, "tagwatch_reads_total{outcome=\"accepted\"}"))
                    .as("every read of every acknowledged batch taken, none twice").isEqualTo(batches * 10);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (metric(tw.api().rawGet("/metrics"), "tagwatch_ingest_reads_total") < batches * 10
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(metric(tw.api().rawGet("/metrics"), "tagwatch_ingest_reads_total")).as("all matched").isEqualTo(batches * 10);
        }
    }

    /** One series' value (0 when absent). */
    private static double metric(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
