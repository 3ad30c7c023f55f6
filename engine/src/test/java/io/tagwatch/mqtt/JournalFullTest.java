package io.tagwatch.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.Mqtt5Reader;
import io.tagwatch.TestEngine;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import io.tagwatch.TestPublisher;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
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
            MqttConnectOptions o = provisioned(tw, "RH");
            MqttClient c = new MqttClient(tw.broker(), "RH-held", new MemoryPersistence());
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

    @Test
    void matchBacklogAtItsBound_holdsReadersBack_andLosesNothing() throws Exception {
        // A bound of 50 unmatched reads and batches of 100: any batch still waiting for the match thread holds
        // the reader back. 200 batches sent without waiting (100 in flight) meet it; all are acknowledged and matched.
        try (TestEngine tw = TestEngine.start(b -> b.maxUnmatchedReads(50).unregisteredHits(false))) {
            MqttConnectOptions o = provisioned(tw, "RB");
            MqttAsyncClient c = new MqttAsyncClient(tw.broker(), "RB-bound", new MemoryPersistence());
            o.setMaxInflight(100);
            c.connect(o).waitForCompletion(10_000);
            int batches = 200;
            Set<Integer> acked = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < batches; i++) {
                while (true) {
                    try {
                        TestPublisher.publishTracked(c, "tags/RB/reads", MqttProtocolTest.batch(0x80_0000 + i * 100L, 100), i, acked);
                        break;
                    } catch (MqttException e) {
                        if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
                            throw e;
                        }
                        Thread.sleep(1); // 100 in flight: wait for a PUBACK
                    }
                }
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while ((acked.size() < batches || metric(tw.api().rawGet("/metrics"), "tagwatch_ingest_reads_total") < batches * 100)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            c.disconnect().waitForCompletion(10_000);
            c.close();
            String metrics = tw.api().rawGet("/metrics");
            assertThat(acked).as("every batch acknowledged").hasSize(batches);
            assertThat(metrics).as("readers were held back at the bound")
                    .containsPattern("tagwatch_mqtt_refusals_total\\{reason=\"journal_full\"[^}]*} [1-9]");
            assertThat(metric(metrics, "tagwatch_ingest_reads_total")).as("every read matched once").isEqualTo(batches * 100);
        }
    }

    /** Provisions {@code reader} and returns its connect options (user and secret). */
    private static MqttConnectOptions provisioned(TestEngine tw, String reader) throws Exception {
        String secret = tw.api().createReader(tw.login("admin", TestEngine.ADMIN_PASSWORD), reader, "centre");
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(reader);
        o.setPassword(secret.toCharArray());
        return o;
    }

    /** One series' value (0 when absent). */
    private static double metric(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
