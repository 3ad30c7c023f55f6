package io.tagwatch.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * An MQTT 3.1.1 client with no smarts, for protocol edge cases a real client library will not
 * produce (a duplicate QoS 2 PUBLISH, a silent socket, a dropped connection without DISCONNECT).
 * Frames are built with Netty's codec on an {@link EmbeddedChannel}; bytes go over a plain socket.
 */
final class RawMqttClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
    private final EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder());

    RawMqttClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
    }

    MqttMessage connect(String clientId, String user, String password, int keepAlive, String willTopic, String will)
            throws IOException {
        return connect(clientId, user, password, keepAlive, willTopic, will, true);
    }

    MqttMessage connect(String clientId, String user, String password, int keepAlive, String willTopic, String will,
                        boolean cleanSession) throws IOException {
        MqttMessageBuilders.ConnectBuilder b = MqttMessageBuilders.connect()
                .protocolVersion(MqttVersion.MQTT_3_1_1).clientId(clientId).cleanSession(cleanSession)
                .keepAlive(keepAlive).username(user).password(password.getBytes(StandardCharsets.UTF_8));
        if (willTopic != null) {
            b.willFlag(true).willTopic(willTopic).willMessage(will.getBytes(StandardCharsets.UTF_8))
                    .willQoS(MqttQoS.AT_LEAST_ONCE);
        }
        MqttConnectMessage m = b.build();
        send(m);
        return read(5_000);
    }

    void publish(String topic, byte[] payload, MqttQoS qos, int packetId, boolean dup) throws IOException {
        MqttPublishMessage p = MqttMessageBuilders.publish().topicName(topic).qos(qos).messageId(packetId)
                .payload(Unpooled.wrappedBuffer(payload)).retained(false).build();
        if (dup) {
            p = new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, true, qos, false, 0),
                    p.variableHeader(), p.payload());
        }
        send(p);
    }

    void pubRel(int packetId) throws IOException {
        send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(packetId)));
    }

    void send(MqttMessage m) throws IOException {
        encoder.writeOutbound(m);
        ByteBuf out;
        while ((out = encoder.readOutbound()) != null) {
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            out.release();
            socket.getOutputStream().write(bytes);
        }
        socket.getOutputStream().flush();
    }

    /** The next packet from the server, or null when none came in time. */
    MqttMessage read(int timeoutMs) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            MqttMessage m = decoder.readInbound();
            if (m != null) {
                return m;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return null;
            }
            socket.setSoTimeout((int) left);
            byte[] buf = new byte[4096];
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (n < 0) {
                throw new IOException("connection closed by the server");
            }
            decoder.writeInbound(Unpooled.wrappedBuffer(buf, 0, n));
        }
    }

    /** True when the server closed the connection within the time. */
    boolean closedByServer(int timeoutMs) throws IOException {
        try {
            while (read(timeoutMs) != null) {
                // drain whatever came before the close
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Drops the TCP connection without DISCONNECT, as a reader losing power would. */
    void drop() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }
}
