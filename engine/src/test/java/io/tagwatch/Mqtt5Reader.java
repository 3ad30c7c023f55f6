package io.tagwatch;

import java.nio.charset.StandardCharsets;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/** A reader on MQTT 5 (Paho), for tests that look at the PUBACK's reason code (0x97 when the engine holds reads back). */
public final class Mqtt5Reader implements AutoCloseable {
    private final MqttAsyncClient client;
    private final String reader;

    public Mqtt5Reader(String broker, String reader, String secret) throws MqttException {
        this.reader = reader;
        client = new MqttAsyncClient(broker, reader + "-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(reader);
        o.setPassword(secret.getBytes(StandardCharsets.UTF_8));
        client.connect(o).waitForCompletion(10_000);
    }

    /** Publishes {@code payload} to the reader's reads topic at QoS 1; returns the PUBACK's reason code (0 = taken). */
    public int publish(byte[] payload) {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        try {
            IMqttToken t = client.publish("tags/" + reader + "/reads", m);
            t.waitForCompletion(10_000);
            int[] codes = t.getReasonCodes();
            return codes == null || codes.length == 0 ? 0 : codes[0];
        } catch (MqttException e) {
            return e.getReasonCode();
        }
    }

    @Override
    public void close() throws MqttException {
        client.disconnectForcibly(2_000);
        client.close();
    }
}
