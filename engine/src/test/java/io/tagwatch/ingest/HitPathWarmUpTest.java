package io.tagwatch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tagwatch.mqtt.AlertDeliveryWarmUp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The warm-up at start takes made-up hits through the alert's whole way — identity, incident,
 * stage timings, serialising, a subscriber's session, the MQTT encoder and a real socket — and
 * nowhere else: not into the node's metrics, not to the node's subscribers.
 */
class HitPathWarmUpTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void warmUp_sendsEachMadeUpAlertOverALoopbackConnection_timedInTheRegistryItIsGiven() throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<byte[]> payloads = new ArrayList<>();
        long sent;
        long received;
        try (AlertDeliveryWarmUp delivery = AlertDeliveryWarmUp.open()) {
            IngestPipeline.warmUp(1_500, (topic, payload) -> {
                payloads.add(payload);
                delivery.publish(topic, payload);
            }, meters);
            sent = delivery.delivered();
            received = delivery.bytesReceived();
        }

        assertThat(sent).isEqualTo(1_500);
        assertThat(payloads).hasSize(1_500);
        // Each alert crossed the socket as a PUBLISH packet: its payload and a header.
        long payloadBytes = payloads.stream().mapToLong(p -> p.length).sum();
        assertThat(received).isGreaterThan(payloadBytes);

        JsonNode first = JSON.readTree(payloads.get(0));
        assertThat(first.path("list").asText()).isEqualTo("stolen");
        assertThat(first.path("reader").path("district").asText()).isEqualTo("warm-up");
        assertThat(payloads.stream().map(p -> new String(p, java.nio.charset.StandardCharsets.UTF_8))
                .filter(s -> s.contains("\"incident\"")).count())
                .as("alerts carrying a stolen vehicle's incident, as a stolen hit's do").isPositive();

        String scrape = meters.scrape();
        assertThat(scrape).containsPattern("tagwatch_alert_latency_seconds_count 1500(\\.0)?\n");
        assertThat(scrape).containsPattern("tagwatch_alert_stage_seconds_count\\{stage=\"publish\"} 1500(\\.0)?\n");
    }
}
