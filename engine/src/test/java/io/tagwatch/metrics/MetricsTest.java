package io.tagwatch.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.TestEngine;
import io.tagwatch.TestPublisher;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** An operator's scrape of /metrics: the figures that matter are there, and they move. */
class MetricsTest {
    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void scrape_showsReadsHitsAlertLatencyWriterAndPool_movingWithTraffic() throws Exception {
        try (TestEngine tw = TestEngine.start(b -> b.dedupWindow(Duration.ofMillis(300)))) {
            String admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
            String secret = tw.api().createReader(admin, "MX", "centre");
            long v = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "E-MX", "tag", "4E4E", "kind", "ebike",
                    "owner", Map.of("name", "Y", "phone", "4"))).body().get("id").asLong();
            tw.call("POST", "/api/vehicles/" + v + "/theft", admin, null);
            String before = tw.api().rawGet("/metrics");
            assertThat(value(before, "tagwatch_reads_total{outcome=\"accepted\"}")).isZero();

            TestPublisher.readOnce(tw.broker(), "MX", secret, "4E4E");
            String after = before;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline && value(after, "tagwatch_sightings_written_total") < 1) {
                Thread.sleep(200);
                after = tw.api().rawGet("/metrics");
            }
            assertThat(value(after, "tagwatch_reads_total{outcome=\"accepted\"}")).isEqualTo(1);
            assertThat(value(after, "tagwatch_hits_raised_total")).isEqualTo(1);
            assertThat(value(after, "tagwatch_alert_latency_seconds_count")).isEqualTo(1);
            assertThat(after).contains("tagwatch_alert_latency_seconds_bucket");
            for (String stage : new String[] {"journal", "queue", "match", "publish"}) {
                assertThat(value(after, "tagwatch_alert_stage_seconds_count{stage=\"" + stage + "\"}")).as(stage).isEqualTo(1);
            }
            assertThat(value(after, "tagwatch_writer_commit_seconds_count")).isPositive();
            assertThat(value(after, "tagwatch_sightings_written_total")).isEqualTo(1);
            assertThat(after).containsPattern("hikaricp_connections_max\\{pool=\"tagwatch-db\"} 10\\.0");
            assertThat(after).contains("jvm_memory_used_bytes", "tagwatch_journal_lag_bytes", "tagwatch_mqtt_connections");
        }
    }
}
