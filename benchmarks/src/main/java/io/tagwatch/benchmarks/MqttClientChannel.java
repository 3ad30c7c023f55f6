package io.tagwatch.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** One place for the load tools' Netty MQTT 3.1.1 client channels: codec, TCP_NODELAY, CONNECT. */
final class MqttClientChannel {
    private MqttClientChannel() {
    }

    static Channel connect(EventLoopGroup group, int port, ChannelHandler handler) throws InterruptedException {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(MqttEncoder.INSTANCE, new MqttDecoder(1 << 20), handler);
                    }
                })
                .connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    static MqttMessage connectMessage(String clientId, String user, String password) {
        return MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId(clientId)
                .cleanSession(true).keepAlive(120).username(user)
                .password(password.getBytes(StandardCharsets.UTF_8)).build();
    }
}
