package io.tagwatch.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.tagwatch.net.NettyTransport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One place for the load tools' Netty MQTT 3.1.1 client channels: codec, TCP_NODELAY, CONNECT,
 * and a PINGREQ after {@value #PING_AFTER_IDLE_SECONDS} s without sending anything (a subscriber
 * or prober idle through another target's phases would otherwise pass its keep-alive and be
 * disconnected by the broker: Mosquitto did so after 180 s in a run of 2026-11-29).
 */
final class MqttClientChannel {
    private MqttClientChannel() {
    }

    static final int KEEP_ALIVE_SECONDS = 120;
    static final int PING_AFTER_IDLE_SECONDS = 30;

    static Channel connect(EventLoopGroup group, int port, ChannelHandler handler) throws InterruptedException {
        return new Bootstrap().group(group).channel(NettyTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(MqttEncoder.INSTANCE, new MqttDecoder(1 << 20),
                                new IdleStateHandler(0, PING_AFTER_IDLE_SECONDS, 0), new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                                        if (evt instanceof IdleStateEvent) {
                                            ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ,
                                                    false, MqttQoS.AT_MOST_ONCE, false, 0)));
                                        } else {
                                            super.userEventTriggered(ctx, evt);
                                        }
                                    }
                                }, handler);
                    }
                })
                .connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    static MqttMessage connectMessage(String clientId, String user, String password) {
        return MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId(clientId)
                .cleanSession(true).keepAlive(KEEP_ALIVE_SECONDS).username(user)
                .password(password.getBytes(StandardCharsets.UTF_8)).build();
    }
}
