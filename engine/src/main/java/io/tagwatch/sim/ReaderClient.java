package io.tagwatch.sim;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One simulated reader: an Eclipse Paho (MQTT 3.1.1) client that publishes read batches to
 * {@code tags/{id}/reads} at QoS 1. Thread-safe (Paho's client is).
 */
public final class ReaderClient implements AutoCloseable {
    private final MqttAsyncClient client;
    private final String topic;

    public ReaderClient(String brokerUri, String readerId, String secret) throws MqttException {
        client = new MqttAsyncClient(brokerUri, readerId, new MemoryPersistence());
        topic = "tags/" + readerId + "/reads";
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(readerId);
        o.setPassword(secret.toCharArray());
        o.setCleanSession(true);
        o.setKeepAliveInterval(30);
        o.setMaxInflight(1000);
        o.setAutomaticReconnect(false);
        client.connect(o).waitForCompletion(30_000);
    }

    /** Publishes one batch; {@code onAck} runs when the PUBACK arrives, {@code onFail} when it cannot. */
    public void publish(byte[] payload, Runnable onAck, Runnable onFail) {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
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
