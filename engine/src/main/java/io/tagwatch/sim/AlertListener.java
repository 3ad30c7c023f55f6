package io.tagwatch.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A patrol's view: an officer's Paho client subscribed to {@code alerts/#} that records each
 * alert's (tag, reader) and when it arrived. Reminders and escalations of a hit nobody
 * acknowledged (alerts carrying {@code reminder} or {@code escalated}) are counted apart: they
 * repeat a hit on purpose and are neither new alerts nor duplicates. Thread-safe.
 */
public final class AlertListener implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MqttClient client;
    private final Map<String, Long> firstAlertAt = new ConcurrentHashMap<>();
    /** The engine's receipt of the batch that raised each first alert (its {@code receivedAt}, epoch ms). */
    private final Map<String, Long> engineReceivedAt = new ConcurrentHashMap<>();
    private final AtomicLong alerts = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong reminders = new AtomicLong();

    public AlertListener(String brokerUri, String username, String password) throws MqttException {
        client = new MqttClient(brokerUri, "demo-patrol-" + username, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(username);
        o.setPassword(password.toCharArray());
        o.setCleanSession(true);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                long now = System.currentTimeMillis();
                JsonNode n = JSON.readTree(message.getPayload());
                if (n.has("reminder") || n.has("escalated")) {
                    reminders.incrementAndGet();
                    return;
                }
                alerts.incrementAndGet();
                String key = n.path("tag").asText() + "@" + n.path("reader").path("id").asText();
                if (firstAlertAt.putIfAbsent(key, now) != null) {
                    duplicates.incrementAndGet();
                } else if (n.hasNonNull("receivedAt")) {
                    engineReceivedAt.put(key, java.time.Instant.parse(n.path("receivedAt").asText()).toEpochMilli());
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        client.connect(o);
        client.subscribe("alerts/#", 1);
    }

    public long alerts() {
        return alerts.get();
    }

    /** Distinct (tag, reader) pairs alerted, "TAG@READER", with when the first alert arrived (epoch ms). */
    public Map<String, Long> alerted() {
        return Map.copyOf(firstAlertAt);
    }

    /** For the pairs in {@link #alerted()}: when the engine received the batch that raised the alert (epoch ms). */
    public Map<String, Long> engineReceivedAt() {
        return Map.copyOf(engineReceivedAt);
    }

    public long duplicates() {
        return duplicates.get();
    }

    /** Reminders and escalations received (not in {@link #alerts()}). */
    public long reminders() {
        return reminders.get();
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2_000);
            }
            client.close(true);
        } catch (MqttException e) {
            // closing at the end of a run; nothing to keep
        }
    }
}
