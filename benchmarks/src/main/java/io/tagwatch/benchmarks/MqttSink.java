package io.tagwatch.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.tagwatch.net.NettyTransport;
import java.net.InetSocketAddress;

/**
 * A broker that does nothing: CONNACK to every CONNECT, PUBACK to every QoS 1 PUBLISH, the
 * payload dropped. The load generator's ceiling is what it reaches against this.
 */
final class MqttSink implements AutoCloseable {
    final int port;
    private final Channel server;

    MqttSink(EventLoopGroup group) throws InterruptedException {
        ChannelHandler handler = new Handler();
        server = new ServerBootstrap().group(group).channel(NettyTransport.serverSocketChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(MqttEncoder.INSTANCE, new MqttDecoder(1 << 20), handler);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    @ChannelHandler.Sharable
    private static final class Handler extends SimpleChannelInboundHandler<MqttMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
            if (m instanceof MqttConnectMessage) {
                ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).build());
            } else if (m instanceof MqttPublishMessage p && p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
                ctx.write(MqttMessageBuilders.pubAck().packetId(p.variableHeader().packetId()).build());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
