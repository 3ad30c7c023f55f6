package io.tagwatch.sim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One simulated reader: an Eclipse Paho (MQTT 3.1.1) client that publishes read batches to
 * {@code tags/{id}/reads} at QoS 1 (or 0). Thread-safe (Paho's client is).
 */
public final class ReaderClient implements AutoCloseable {
    private final MqttAsyncClient client;
    private final String topic;
    private final int qos;
    private final IMqttToken connecting;

    /** Starts connecting (MQTT 3.1.1, clean session); reads go out at {@code qos} 0 or 1. */
    private ReaderClient(String brokerUri, String readerId, String secret, int qos) throws MqttException {
        if (qos < 0 || qos > 1) {
            throw new IllegalArgumentException("qos=" + qos + " (reads go at QoS 0 or 1)");
        }
        this.qos = qos;
        client = new MqttAsyncClient(brokerUri, readerId, new MemoryPersistence());
        topic = "tags/" + readerId + "/reads";
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(readerId);
        o.setPassword(secret.toCharArray());
        o.setCleanSession(true);
        o.setKeepAliveInterval(30);
        o.setMaxInflight(1000);
        o.setAutomaticReconnect(false);
        connecting = client.connect(o);
    }

    /**
     * Connects one client per reader ({@code id -> secret}) at once and waits for them all:
     * Paho spends a few hundred milliseconds of sleeps in each connect, so one at a time 400
     * readers would take two minutes.
     */
    public static Map<String, ReaderClient> connectAll(String brokerUri, Map<String, String> secrets, int qos)
            throws MqttException {
        Map<String, ReaderClient> clients = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : secrets.entrySet()) {
                clients.put(e.getKey(), new ReaderClient(brokerUri, e.getKey(), e.getValue(), qos));
            }
            for (ReaderClient c : clients.values()) {
                c.connecting.waitForCompletion(60_000);
            }
            return clients;
        } catch (MqttException | RuntimeException e) {
            closeAll(clients.values());
            throw e;
        }
    }

    /**
     * Publishes one batch; {@code onAck} runs when the PUBACK arrives (QoS 0: when it is
     * written), {@code onFail} when it cannot be sent.
     */
    public void publish(byte[] payload, Runnable onAck, Runnable onFail) {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(qos);
        try {
            client.publish(topic, m, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    onAck.run();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    onFail.run();
                }
            });
        } catch (MqttException e) {
            onFail.run();
        }
    }

    /** Closes every client, disconnecting them all at once (one at a time, 400 take half a minute). */
    public static void closeAll(java.util.Collection<ReaderClient> clients) {
        java.util.List<IMqttToken> pending = new java.util.ArrayList<>();
        for (ReaderClient c : clients) {
            try {
                if (c.client.isConnected()) {
                    pending.add(c.client.disconnect());
                }
            } catch (MqttException e) {
                // already going; close() below ends it
            }
        }
        for (IMqttToken t : pending) {
            try {
                t.waitForCompletion(5_000);
            } catch (MqttException e) {
                // the engine may already be gone at the end of a run
            }
        }
        clients.forEach(ReaderClient::close);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
            client.close(true);
        } catch (MqttException e) {
            // the engine may already be gone at the end of a run; nothing to keep
        }
    }
}
