package io.tagwatch.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * One subscriber (Netty MQTT 3.1.1, QoS 1, a PUBACK for each message): the officer on
 * {@code alerts/#} of TagWatch, or the one client Mosquitto relays {@code tags/#} to. Counts
 * messages and hands each one's topic and payload to {@code onMessage} on its event loop.
 */
final class LoadSubscriber implements AutoCloseable {
    final AtomicLong messages = new AtomicLong();
    private final Channel channel;

    LoadSubscriber(EventLoopGroup group, int port, String user, String password, String filter,
                   BiConsumer<String, ByteBuf> onMessage) throws InterruptedException {
        CountDownLatch subscribed = new CountDownLatch(1);
        channel = MqttClientChannel.connect(group, port, new SimpleChannelInboundHandler<MqttMessage>() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(MqttClientChannel.connectMessage(user + "-sub-" + System.nanoTime(), user, password));
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
                if (m instanceof MqttConnAckMessage ack) {
                    if (ack.variableHeader().connectReturnCode() != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                        throw new IllegalStateException("subscriber refused: " + ack.variableHeader().connectReturnCode());
                    }
                    ctx.writeAndFlush(MqttMessageBuilders.subscribe().messageId(1)
                            .addSubscription(MqttQoS.AT_LEAST_ONCE, filter).build());
                } else if (m instanceof MqttSubAckMessage) {
                    subscribed.countDown();
                } else if (m instanceof MqttPublishMessage p) {
                    messages.incrementAndGet();
                    onMessage.accept(p.variableHeader().topicName(), p.payload());
                    if (p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
                        ctx.write(MqttMessageBuilders.pubAck().packetId(p.variableHeader().packetId()).build());
                    }
                }
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.flush();
            }
        });
        if (!subscribed.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no SUBACK for " + filter + " within 30 s");
        }
    }

    @Override
    public void close() {
        channel.close();
    }
}
