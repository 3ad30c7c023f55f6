package io.tagwatch.mqtt;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alert subscribers' sessions and the fan-out of alerts to them. A session is keyed by client
 * id. A persistent one (3.1.1 clean session false; 5.0 session expiry above 0) outlives its
 * connection until it expires: alerts for it are queued while it is offline (bounded; the
 * oldest is dropped and counted) and delivered when it reconnects, and QoS 1 alerts it had not
 * acknowledged are sent again (DUP). A connected session gets at most {@link #MAX_INFLIGHT}
 * unacknowledged QoS 1 alerts at once; the rest wait in its queue.
 *
 * <p>Thread-safe: each session is guarded by its own monitor; writes go through the channel.
 */
final class Subscriptions {
    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);
    static final int MAX_INFLIGHT = 100;

    private record Pending(String topic, byte[] payload, MqttQoS qos) {
    }

    /** One subscriber's session. Guarded by itself. */
    static final class Session {
        final String clientId;
        final Map<String, MqttQoS> filters = new LinkedHashMap<>();
        private final ArrayDeque<Pending> queue = new ArrayDeque<>();
        private final LinkedHashMap<Integer, Pending> inflight = new LinkedHashMap<>();
        private boolean persistent;
        private long expiryMillis;
        private long expiresAt = Long.MAX_VALUE;
        private Channel channel;
        private int nextPacketId = 1;

        Session(String clientId) {
            this.clientId = clientId;
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final int maxQueued;
    private final Counter dropped;
    private final AtomicLong delivered = new AtomicLong();

    Subscriptions(int maxQueued, Counter dropped) {
        this.maxQueued = maxQueued;
        this.dropped = dropped;
    }

    /**
     * Attaches a connection to its session: a clean start discards any old one; otherwise an
     * existing session is resumed and what it missed is sent.
     *
     * @param expiryMillis how long the session outlives the connection (0 = not persistent)
     * @return the session, and whether one was present (for the CONNACK)
     */
    Map.Entry<Session, Boolean> attach(String clientId, Channel ch, boolean cleanStart, long expiryMillis) {
        Session old = cleanStart ? null : sessions.get(clientId);
        boolean present = old != null && old.persistent;
        Session s = present ? old : new Session(clientId);
        sessions.put(clientId, s);
        synchronized (s) {
            s.channel = ch;
            s.persistent = expiryMillis > 0;
            s.expiryMillis = expiryMillis;
            s.expiresAt = Long.MAX_VALUE;
        }
        return Map.entry(s, present);
    }

    /** Sends what a resumed session missed: unacknowledged alerts again (DUP), then its queue. */
    void resume(Session s) {
        synchronized (s) {
            for (Map.Entry<Integer, Pending> e : s.inflight.entrySet()) {
                write(s, e.getValue(), e.getKey(), true, false);
            }
            if (canSend(s)) {
                drain(s); // flushes the resent ones with its last
            } else if (s.channel != null) {
                s.channel.flush();
            }
        }
    }

    /** The connection of a session closed: a persistent session waits for it, another goes. */
    void detach(Session s, Channel ch) {
        synchronized (s) {
            if (s.channel != ch) {
                return; // a newer connection took the session over
            }
            s.channel = null;
            if (!s.persistent) {
                sessions.remove(s.clientId, s);
            } else {
                s.expiresAt = System.currentTimeMillis() + s.expiryMillis;
            }
        }
    }

    void subscribe(Session s, String filter, MqttQoS qos) {
        synchronized (s) {
            s.filters.put(filter, qos);
        }
    }

    void unsubscribe(Session s, String filter) {
        synchronized (s) {
            s.filters.remove(filter);
        }
    }

    /** A subscriber acknowledged a QoS 1 alert: send the next queued one. */
    void acknowledged(Session s, int packetId) {
        synchronized (s) {
            if (s.inflight.remove(packetId) != null) {
                drain(s);
            }
        }
    }

    /** Drops sessions whose connection has been gone longer than their expiry. */
    int expire(long now) {
        int n = 0;
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            synchronized (s) {
                if (s.channel == null && s.expiresAt <= now) {
                    it.remove();
                    n++;
                    if (!s.queue.isEmpty()) {
                        log.info("session client={} expired with {} undelivered alerts", s.clientId, s.queue.size());
                    }
                }
            }
        }
        return n;
    }

    int size() {
        return sessions.size();
    }

    long delivered() {
        return delivered.get();
    }

    /** Sends the payload to every session with a matching filter (once, at the highest matching QoS). */
    void publish(String topic, byte[] payload) {
        for (Session s : sessions.values()) {
            synchronized (s) {
                MqttQoS qos = null;
                for (Map.Entry<String, MqttQoS> f : s.filters.entrySet()) {
                    if (TopicFilter.matches(f.getKey(), topic) && (qos == null || f.getValue().value() > qos.value())) {
                        qos = f.getValue();
                    }
                }
                if (qos == null) {
                    continue;
                }
                if (s.channel == null && !s.persistent) {
                    continue;
                }
                if (s.queue.size() >= maxQueued) {
                    s.queue.poll();
                    dropped.increment();
                    log.warn("session client={} queue full ({}): oldest alert dropped", s.clientId, maxQueued);
                }
                s.queue.add(new Pending(topic, payload, qos));
                if (s.channel != null) {
                    drain(s);
                }
            }
        }
    }

    /**
     * Sends queued alerts while the connection is there and the in-flight limit allows, flushing
     * once with the last of them (one syscall for a backlog, not one per alert). Holds the monitor.
     */
    private void drain(Session s) {
        while (canSend(s)) {
            Pending p = s.queue.poll();
            int id = 0;
            if (p.qos() != MqttQoS.AT_MOST_ONCE) {
                id = nextPacketId(s);
                s.inflight.put(id, p);
            }
            write(s, p, id, false, !canSend(s));
        }
    }

    private static boolean canSend(Session s) {
        return s.channel != null && !s.queue.isEmpty()
                && (s.queue.peek().qos() == MqttQoS.AT_MOST_ONCE || s.inflight.size() < MAX_INFLIGHT);
    }

    private static int nextPacketId(Session s) {
        int id;
        do {
            id = s.nextPacketId;
            s.nextPacketId = id == 0xFFFF ? 1 : id + 1;
        } while (s.inflight.containsKey(id));
        return id;
    }

    private void write(Session s, Pending p, int packetId, boolean dup, boolean flush) {
        Channel ch = s.channel;
        MqttPublishMessage m = MqttMessageBuilders.publish()
                .topicName(p.topic())
                .qos(p.qos())
                .retained(false)
                .messageId(packetId)
                .payload(Unpooled.wrappedBuffer(p.payload()))
                .build();
        if (dup) {
            m = new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, true, p.qos(), false, 0),
                    m.variableHeader(), m.payload());
        }
        if (flush) {
            ch.writeAndFlush(m);
        } else {
            ch.write(m);
        }
        delivered.incrementAndGet();
    }
}
