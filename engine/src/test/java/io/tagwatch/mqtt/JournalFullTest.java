package io.tagwatch.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.Mqtt5Reader;
import io.tagwatch.TestEngine;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** At the journal's cap a 5.0 reader is told 0x97 (quota exceeded) and nothing is acknowledged as safe. */
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
}
