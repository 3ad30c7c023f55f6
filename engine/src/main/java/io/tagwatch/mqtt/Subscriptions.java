package io.tagwatch.mqtt;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Alert subscriptions of connected officers, and the fan-out of alerts to them. Publishing
 * never blocks: each write is handed to the subscriber's event loop.
 *
 * <p>Thread-safe.
 */
final class Subscriptions {
    private record Key(Channel channel, String filter) {
    }

    private final Map<Key, MqttQoS> subs = new ConcurrentHashMap<>();
    private final AtomicLong delivered = new AtomicLong();

    void add(Channel ch, String filter, MqttQoS qos) {
        subs.put(new Key(ch, filter), qos);
    }

    void remove(Channel ch, String filter) {
        subs.remove(new Key(ch, filter));
    }

    void removeAll(Channel ch) {
        subs.keySet().removeIf(k -> k.channel() == ch);
    }

    long delivered() {
        return delivered.get();
    }

    /** Sends the payload to every subscription whose filter matches (once per channel, at the highest QoS). */
    void publish(String topic, byte[] payload) {
        Map<Channel, MqttQoS> targets = new java.util.HashMap<>();
        subs.forEach((k, qos) -> {
            if (TopicFilter.matches(k.filter(), topic)) {
                targets.merge(k.channel(), qos, (a, b) -> a.value() >= b.value() ? a : b);
            }
        });
        targets.forEach((ch, qos) -> ch.eventLoop().execute(() -> send(ch, topic, payload, qos)));
    }

    private void send(Channel ch, String topic, byte[] payload, MqttQoS qos) {
        MqttSession session = ch.attr(MqttSession.KEY).get();
        if (!ch.isActive() || session == null) {
            return;
        }
        MqttMessageBuilders.PublishBuilder b = MqttMessageBuilders.publish()
                .topicName(topic)
                .qos(qos)
                .retained(false)
                .payload(Unpooled.wrappedBuffer(payload));
        if (qos != MqttQoS.AT_MOST_ONCE) {
            b.messageId(session.nextPacketId());
        }
        ch.writeAndFlush(b.build());
        delivered.incrementAndGet();
    }
}
