package io.tagwatch.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The MQTT server's meters, created once. Thread-safe. */
final class MqttCounters {
    final Counter connectRefused;
    final Counter notAuthorized;
    final Counter payloadInvalid;
    final Counter malformedPacket;
    final Counter keepAliveTimeouts;
    final Counter batchesAccepted;
    final Counter readsAccepted;
    final Counter readsDroppedByTime;
    final Counter journalFull;
    final Counter statusMessages;
    final Counter rateLimited;
    final Counter inflightFull;
    final Counter refusedTotalConnections;
    final Counter refusedPerAddress;
    final Counter sessionAlertsDropped;

    MqttCounters(MeterRegistry m) {
        connectRefused = refused(m, "bad_credentials");
        notAuthorized = refused(m, "not_authorized");
        payloadInvalid = refused(m, "payload_invalid");
        malformedPacket = refused(m, "malformed_packet");
        journalFull = refused(m, "journal_full");
        keepAliveTimeouts = m.counter("tagwatch.mqtt.timeouts");
        batchesAccepted = m.counter("tagwatch.mqtt.batches.accepted");
        readsAccepted = Counter.builder("tagwatch.reads").tag("outcome", "accepted").register(m);
        readsDroppedByTime = Counter.builder("tagwatch.reads").tag("outcome", "dropped_time").register(m);
        statusMessages = m.counter("tagwatch.mqtt.status.messages");
        rateLimited = Counter.builder("tagwatch.mqtt.backpressure").tag("reason", "publish_rate").register(m);
        inflightFull = Counter.builder("tagwatch.mqtt.backpressure").tag("reason", "inflight_window").register(m);
        refusedTotalConnections = refused(m, "max_connections");
        refusedPerAddress = refused(m, "max_connections_per_address");
        sessionAlertsDropped = m.counter("tagwatch.mqtt.session.alerts.dropped");
    }

    private static Counter refused(MeterRegistry m, String reason) {
        return Counter.builder("tagwatch.mqtt.refusals").tag("reason", reason).register(m);
    }
}
