package io.tagwatch.mqtt;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.tagwatch.config.EngineConfig;
import io.tagwatch.journal.Journal;
import io.tagwatch.read.PayloadError;
import io.tagwatch.read.ReadBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PUBLISH from a connected client: the topic ACL, payload decode, time checks, and hand-off to
 * the ingest pipeline, whose journal decides when the PUBACK goes out. Runs on the channel's
 * event loop; shared by all channels (stateless apart from its collaborators).
 */
final class ReadPublishHandler {
    private static final Logger log = LoggerFactory.getLogger(ReadPublishHandler.class);
    static final byte REASON_NOT_AUTHORIZED = (byte) 0x87;
    static final byte REASON_PAYLOAD_FORMAT_INVALID = (byte) 0x99;
    static final byte REASON_QUOTA_EXCEEDED = (byte) 0x97;
    static final byte REASON_QOS_NOT_SUPPORTED = (byte) 0x9B;

    private final Journal journal;
    private final MqttCounters counters;
    private final long maxFutureMs;
    private final long maxAgeMs;

    ReadPublishHandler(EngineConfig config, Journal journal, MqttCounters counters) {
        this.journal = journal;
        this.counters = counters;
        this.maxFutureMs = config.maxReadFuture().toMillis();
        this.maxAgeMs = config.maxReadAge().toMillis();
    }

    void handle(ChannelHandlerContext ctx, MqttSession session, MqttPublishMessage msg) {
        String topic = msg.variableHeader().topicName();
        MqttQoS qos = msg.fixedHeader().qosLevel();
        int packetId = msg.variableHeader().packetId();
        if (qos == MqttQoS.EXACTLY_ONCE) {
            // CONNACK advertises Maximum QoS 1 (5.0); QoS 2 for reads is issue 3.
            counters.qosUnsupported.increment();
            log.warn("{} sent QoS 2 on topic={}: not supported, closing", session.principal(), topic);
            MqttConnectionHandler.disconnect(ctx, session, REASON_QOS_NOT_SUPPORTED);
            return;
        }
        if (session.reader == null || !(topic.equals(session.readsTopic) || topic.equals(session.statusTopic))) {
            counters.notAuthorized.increment();
            log.warn("{} may not publish to topic={}", session.principal(), topic);
            if (session.mqtt5) {
                if (qos == MqttQoS.AT_LEAST_ONCE) {
                    ctx.writeAndFlush(pubAck(packetId, REASON_NOT_AUTHORIZED));
                }
            } else {
                ctx.close();
            }
            return;
        }
        if (topic.equals(session.statusTopic)) {
            counters.statusMessages.increment();
            ack(ctx, qos, packetId);
            return;
        }
        ReadBatch batch = new ReadBatch(64);
        PayloadError error = session.decoder.decode(msg.content(), batch);
        if (error != PayloadError.NONE) {
            counters.payloadInvalid.increment();
            log.warn("reader={} batch refused: {} ({})", session.reader.id(), error, session.decoder.lastErrorDetail());
            // 5.0 says why; 3.1.1 has no way to, so the batch is acknowledged and dropped
            // (resending it could never succeed) and the refusal is counted and logged.
            if (qos == MqttQoS.AT_LEAST_ONCE) {
                ctx.writeAndFlush(session.mqtt5 ? pubAck(packetId, REASON_PAYLOAD_FORMAT_INVALID) : pubAck(packetId, (byte) 0));
            }
            return;
        }
        batch.source(session.reader.id(), session.reader.index(), System.currentTimeMillis());
        int dropped = batch.resolveTimes(maxFutureMs, maxAgeMs);
        if (dropped > 0) {
            counters.readsDroppedByTime.increment(dropped);
            log.debug("reader={} {} reads dropped for their timestamp", session.reader.id(), dropped);
        }
        if (batch.size() == 0) {
            ack(ctx, qos, packetId); // nothing left to keep
            return;
        }
        Runnable onDurable = qos == MqttQoS.AT_LEAST_ONCE ? () -> ack(ctx, qos, packetId) : () -> { };
        if (!journal.append(batch, onDurable)) {
            // Journal at its cap: no acknowledgement (the reader keeps the batch and resends),
            // and stop reading this socket until there is room again.
            counters.journalFull.increment();
            if (session.mqtt5 && qos == MqttQoS.AT_LEAST_ONCE) {
                ctx.writeAndFlush(pubAck(packetId, REASON_QUOTA_EXCEEDED));
            }
            pauseUntilJournalHasRoom(ctx);
            return;
        }
        counters.batchesAccepted.increment();
        counters.readsAccepted.increment(batch.size());
    }

    private void pauseUntilJournalHasRoom(ChannelHandlerContext ctx) {
        if (!ctx.channel().config().isAutoRead()) {
            return;
        }
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(new Runnable() {
            @Override
            public void run() {
                if (!ctx.channel().isActive()) {
                    return;
                }
                if (journal.full()) {
                    ctx.executor().schedule(this, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
                } else {
                    ctx.channel().config().setAutoRead(true);
                }
            }
        }, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static void ack(ChannelHandlerContext ctx, MqttQoS qos, int packetId) {
        if (qos != MqttQoS.AT_LEAST_ONCE) {
            return;
        }
        if (ctx.executor().inEventLoop()) {
            ctx.writeAndFlush(pubAck(packetId, (byte) 0));
        } else {
            ctx.executor().execute(() -> ctx.writeAndFlush(pubAck(packetId, (byte) 0)));
        }
    }

    static MqttMessage pubAck(int packetId, byte reason) {
        return MqttMessageBuilders.pubAck().packetId(packetId).reasonCode(reason).build();
    }
}
