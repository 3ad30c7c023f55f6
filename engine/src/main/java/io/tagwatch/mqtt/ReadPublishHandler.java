package io.tagwatch.mqtt;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.tagwatch.config.EngineConfig;
import io.tagwatch.journal.Journal;
import io.tagwatch.read.PayloadError;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.registry.ReaderLiveness;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PUBLISH from a connected client: the topic ACL, the reader's publish rate, payload decode,
 * time checks, and the journal append, whose fsync decides when the acknowledgement goes out
 * (PUBACK for QoS 1, PUBREC for QoS 2; PUBREL → PUBCOMP is {@link MqttConnectionHandler}'s).
 * Runs on the channel's event loop; shared by all channels.
 *
 * <p>Back-pressure, never unbounded buffering: past the in-flight window (reads received but
 * not yet acknowledged), over the publish rate, or with the journal at its cap, the server
 * stops reading the connection (Netty auto-read) until the condition clears.
 */
final class ReadPublishHandler {
    private static final Logger log = LoggerFactory.getLogger(ReadPublishHandler.class);
    static final byte REASON_NOT_AUTHORIZED = (byte) 0x87;
    static final byte REASON_PAYLOAD_FORMAT_INVALID = (byte) 0x99;
    static final byte REASON_QUOTA_EXCEEDED = (byte) 0x97;
    static final byte REASON_TOPIC_NAME_INVALID = (byte) 0x90;
    /** How often a reader held back by the journal's cap looks for room again. */
    private static final long JOURNAL_RECHECK_MS = 20;

    private final Journal journal;
    private final MqttCounters counters;
    private final ReaderLiveness liveness;
    private final long maxFutureMs;
    private final long maxAgeMs;
    private final int inflightWindow;
    private final io.tagwatch.registry.ReaderDirectory readers;

    ReadPublishHandler(EngineConfig config, Journal journal, MqttCounters counters, ReaderLiveness liveness,
                       io.tagwatch.registry.ReaderDirectory readers) {
        this.readers = readers;
        this.journal = journal;
        this.counters = counters;
        this.liveness = liveness;
        this.maxFutureMs = config.maxReadFuture().toMillis();
        this.maxAgeMs = config.maxReadAge().toMillis();
        this.inflightWindow = config.inflightWindow();
    }

    void handle(ChannelHandlerContext ctx, MqttSession session, MqttPublishMessage msg) {
        String topic = msg.variableHeader().topicName();
        MqttQoS qos = msg.fixedHeader().qosLevel();
        int packetId = msg.variableHeader().packetId();
        if (session.reader == null || !(topic.equals(session.readsTopic) || topic.equals(session.statusTopic))) {
            counters.notAuthorized.increment();
            log.warn("{} may not publish to topic={}", session.principal(), topic);
            if (session.mqtt5) {
                acknowledge(ctx, qos, packetId, REASON_NOT_AUTHORIZED);
            } else {
                ctx.close(); // 3.1.1 has no way to refuse a PUBLISH
            }
            return;
        }
        if (readers.retired(session.reader.id())) {
            // Retired by an admin while connected: nothing more from it is taken.
            counters.notAuthorized.increment();
            log.warn("reader={} was retired: closing its connection", session.reader.id());
            ctx.close();
            return;
        }
        long now = System.currentTimeMillis();
        long arrival = System.nanoTime();
        liveness.seen(session.reader.id(), now);
        if (qos == MqttQoS.EXACTLY_ONCE && !session.qos2Journaling.isEmpty() && session.qos2Journaling.contains(packetId)) {
            return; // a resend of a QoS 2 batch still being journaled: its PUBREC is on the way
        }
        if (qos == MqttQoS.EXACTLY_ONCE && session.qos2Received.contains(packetId)) {
            acknowledge(ctx, qos, packetId, (byte) 0); // already have it: PUBREC again, keep it once
            return;
        }
        if (topic.equals(session.statusTopic)) {
            counters.statusMessages.increment();
            liveness.status(session.reader.id(), msg.content().toString(StandardCharsets.UTF_8), Instant.ofEpochMilli(now));
            acknowledge(ctx, qos, packetId, (byte) 0);
            return;
        }
        throttle(ctx, session);
        // Binary batches size it exactly from their header; JSON ones grow it. Sized 1, a one-read
        // message allocates 4 one-element arrays rather than 16-element ones (JFR: a fifth of the
        // event loops' allocation under one-read-per-message load).
        ReadBatch batch = new ReadBatch(1);
        PayloadError error = session.decoder.decode(msg.content(), batch);
        if (error != PayloadError.NONE) {
            counters.payloadInvalid.increment();
            log.warn("reader={} batch refused: {} ({})", session.reader.id(), error, session.decoder.lastErrorDetail());
            // 5.0 says why; 3.1.1 has no way to, so the batch is acknowledged and dropped
            // (resending it could never succeed) and the refusal is counted and logged.
            if (session.mqtt5) {
                acknowledge(ctx, qos, packetId, REASON_PAYLOAD_FORMAT_INVALID);
            } else {
                acknowledge(ctx, qos, packetId, (byte) 0);
            }
            return;
        }
        batch.source(session.reader.id(), session.reader.index(), now);
        batch.arrivedAt(arrival);
        int dropped = batch.resolveTimes(maxFutureMs, maxAgeMs);
        if (dropped > 0) {
            counters.readsDroppedByTime.increment(dropped);
            log.debug("reader={} {} reads dropped for their timestamp", session.reader.id(), dropped);
        }
        if (batch.size() == 0) {
            acknowledge(ctx, qos, packetId, (byte) 0); // nothing left to keep
            return;
        }
        liveness.batch(session.reader.id(), batch.receivedAt(), batch.newestTimestamp());
        if (!session.held.isEmpty()) {
            hold(session, batch, qos, packetId); // behind the batches already held, in the reader's order
            return;
        }
        if (!append(ctx, session, batch, qos, packetId)) {
            // Journal at its cap. 5.0 says so (0x97) and the reader resends; 3.1.1 has no way to
            // refuse, and a batch left unacknowledged would hold one of the reader's in-flight slots
            // until it reconnects (clients resend only then), so the batch is held here and appended
            // once there is room. Either way the socket is not read meanwhile.
            counters.journalFull.increment();
            if (session.mqtt5) {
                acknowledge(ctx, qos, packetId, REASON_QUOTA_EXCEEDED);
            } else {
                hold(session, batch, qos, packetId);
            }
            pauseUntilJournalHasRoom(ctx, session);
        }
    }

    private static void hold(MqttSession session, ReadBatch batch, MqttQoS qos, int packetId) {
        if (qos == MqttQoS.EXACTLY_ONCE) {
            session.qos2Journaling.add(packetId); // a resend of it meanwhile is not taken twice
        }
        session.held.add(new MqttSession.Held(batch, qos, packetId));
    }

    /** Journals the batch and counts it in flight; false (nothing done) when the journal is at its cap. */
    private boolean append(ChannelHandlerContext ctx, MqttSession session, ReadBatch batch, MqttQoS qos, int packetId) {
        if (!journal.append(batch, qos == MqttQoS.AT_MOST_ONCE ? NOTHING_TO_ACK : new DurableAck(ctx, session, qos, packetId))) {
            return false;
        }
        if (qos != MqttQoS.AT_MOST_ONCE) {
            session.inflight++;
            if (qos == MqttQoS.EXACTLY_ONCE) {
                session.qos2Journaling.add(packetId);
            }
            if (session.inflight >= inflightWindow && !session.pausedFor(MqttSession.PAUSE_INFLIGHT)) {
                counters.inflightFull.increment();
                if (!session.inflightLogged) {
                    session.inflightLogged = true;
                    log.info("reader={} has {} batches in flight (the window): not reading its socket until "
                            + "acknowledgements catch up (logged once per connection)", session.reader.id(), session.inflight);
                }
                session.pause(ctx.channel(), MqttSession.PAUSE_INFLIGHT);
            }
        }
        counters.batchesAccepted.increment();
        counters.readsAccepted.increment(batch.size());
        return true;
    }

    /**
     * Run by the journal (its syncer) once a batch is on disk (for a whole group commit in a row):
     * queues the acknowledgement on its session and, unless one is pending, schedules one task on
     * the channel's event loop that sends every acknowledgement queued by then, in journal order,
     * with one flush (one syscall) for all of them rather than one per message.
     */
    final class DurableAck implements Runnable {
        private final ChannelHandlerContext ctx;
        private final MqttSession session;
        private final MqttQoS qos;
        private final int packetId;

        DurableAck(ChannelHandlerContext ctx, MqttSession session, MqttQoS qos, int packetId) {
            this.ctx = ctx;
            this.session = session;
            this.qos = qos;
            this.packetId = packetId;
        }

        @Override
        public void run() {
            session.acksDue.offer(this);
            if (session.ackTaskPending.compareAndSet(false, true)) {
                ctx.executor().execute(this::sendDueAcks);
            }
        }

        /** On the event loop: every acknowledgement due on this channel, then one flush. */
        private void sendDueAcks() {
            session.ackTaskPending.set(false); // an ack queued from here on schedules the next task
            DurableAck a;
            boolean wrote = false;
            while ((a = session.acksDue.poll()) != null) {
                durable(ctx, session, a.qos, a.packetId);
                wrote = true;
            }
            if (wrote) {
                ctx.flush();
            }
        }
    }

    /** QoS 0: nothing is acknowledged, so nothing goes back to the event loop. */
    private static final Runnable NOTHING_TO_ACK = () -> { };

    /** On the event loop, once the journal has the batch on disk; the caller flushes. */
    private void durable(ChannelHandlerContext ctx, MqttSession session, MqttQoS qos, int packetId) {
        session.inflight--;
        if (qos == MqttQoS.EXACTLY_ONCE) {
            session.qos2Journaling.remove(packetId);
            session.qos2Received.add(packetId);
        }
        write(ctx, qos, packetId, (byte) 0);
        if (session.inflight < inflightWindow && session.pausedFor(MqttSession.PAUSE_INFLIGHT)) {
            session.resume(ctx.channel(), MqttSession.PAUSE_INFLIGHT);
        }
    }

    /** Over its publish rate, a reader's socket is not read until a token is due. */
    private void throttle(ChannelHandlerContext ctx, MqttSession session) {
        long now = System.nanoTime();
        if (session.rate().tryTake(now)) {
            return;
        }
        // This publish is taken (it is already read); the next ones wait on the socket.
        counters.rateLimited.increment();
        if (!session.pausedFor(MqttSession.PAUSE_RATE)) {
            if (!session.rateLogged) {
                session.rateLogged = true;
                log.info("reader={} publishes faster than its rate: pausing its socket while it is over "
                        + "(logged once per connection)", session.reader.id());
            }
            session.pause(ctx.channel(), MqttSession.PAUSE_RATE);
            ctx.executor().schedule(() -> session.resume(ctx.channel(), MqttSession.PAUSE_RATE),
                    Math.max(1, session.rate().nanosUntilToken(now)), TimeUnit.NANOSECONDS);
        }
    }

    private void pauseUntilJournalHasRoom(ChannelHandlerContext ctx, MqttSession session) {
        if (session.pausedFor(MqttSession.PAUSE_JOURNAL)) {
            return;
        }
        session.pause(ctx.channel(), MqttSession.PAUSE_JOURNAL);
        ctx.executor().schedule(new Runnable() {
            @Override
            public void run() {
                if (!ctx.channel().isActive()) {
                    return;
                }
                MqttSession.Held h;
                while ((h = session.held.peek()) != null && append(ctx, session, h.batch(), h.qos(), h.packetId())) {
                    session.held.poll();
                }
                if (h != null || journal.full()) {
                    ctx.executor().schedule(this, JOURNAL_RECHECK_MS, TimeUnit.MILLISECONDS);
                } else {
                    session.resume(ctx.channel(), MqttSession.PAUSE_JOURNAL);
                }
            }
        }, JOURNAL_RECHECK_MS, TimeUnit.MILLISECONDS);
    }

    /** PUBACK for QoS 1, PUBREC for QoS 2 (nothing for QoS 0); a reason ≥ 0x80 is a 5.0 refusal. */
    static void acknowledge(ChannelHandlerContext ctx, MqttQoS qos, int packetId, byte reason) {
        if (qos != MqttQoS.AT_MOST_ONCE) {
            write(ctx, qos, packetId, reason);
            ctx.flush();
        }
    }

    /** The acknowledgement, written but not flushed. */
    private static void write(ChannelHandlerContext ctx, MqttQoS qos, int packetId, byte reason) {
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            ctx.write(MqttMessageBuilders.pubAck().packetId(packetId).reasonCode(reason).build());
        } else if (qos == MqttQoS.EXACTLY_ONCE) {
            ctx.write(reply(MqttMessageType.PUBREC, packetId, reason));
        }
    }

    /** PUBREC / PUBCOMP (QoS 0 fixed header, as the specification has them). */
    static MqttMessage reply(MqttMessageType type, int packetId, byte reason) {
        return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, reason, MqttProperties.NO_PROPERTIES));
    }
}
