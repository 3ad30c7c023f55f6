package io.tagwatch;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** How tests act as a reader with Eclipse Paho (MQTT 3.1.1), in one place. */
public final class TestPublisher {
    private TestPublisher() {
    }

    /** Connects as the reader, publishes one JSON read of {@code tag} (now) at QoS 1, waits for the PUBACK, leaves. */
    public static void readOnce(String broker, String reader, String secret, String tag) throws MqttException {
        readOnce(broker, reader, secret, tag, System.currentTimeMillis());
    }

    /** As {@link #readOnce(String, String, String, String)}, read at the reader's time {@code ts}. */
    public static void readOnce(String broker, String reader, String secret, String tag, long ts) throws MqttException {
        MqttClient c = new MqttClient(broker, reader + "-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(reader);
        o.setPassword(secret.toCharArray());
        c.connect(o);
        c.publish("tags/" + reader + "/reads", ("{\"reads\":[{\"tag\":\"" + tag + "\",\"ts\":" + ts
                + ",\"rssi\":-55}]}").getBytes(StandardCharsets.UTF_8), 1, false);
        c.disconnect();
        c.close();
    }

    /** Publishes at QoS 1 and adds {@code n} to {@code acked} when the PUBACK arrives. */
    public static void publishTracked(MqttAsyncClient c, String topic, byte[] payload, int n, Set<Integer> acked)
            throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        c.publish(topic, m, null, new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                acked.add(n);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                // not acknowledged: the test resends or counts it as missing
            }
        });
    }
}
