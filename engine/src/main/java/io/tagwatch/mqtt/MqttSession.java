package io.tagwatch.mqtt;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.tagwatch.read.ReadPayloadDecoder;
import io.tagwatch.registry.ReaderInfo;
import io.tagwatch.registry.User;
import java.util.HashSet;
import java.util.Set;

/**
 * What the server knows about one authenticated connection. Created on a successful CONNECT;
 * touched only by the channel's event loop, except the queue of acknowledgements due (and its
 * flag), which the journal fills once a batch is durable (its syncer thread).
 */
final class MqttSession {
    static final AttributeKey<MqttSession> KEY = AttributeKey.valueOf("tagwatch.mqtt.session");

    /** Reasons the server stopped reading this connection; it reads again when none is left. */
    static final int PAUSE_INFLIGHT = 1;
    static final int PAUSE_RATE = 2;
    static final int PAUSE_JOURNAL = 4;

    final String clientId;
    final boolean mqtt5;
    /** Set for a reader connection, else null. */
    final ReaderInfo reader;
    /** Set for a person's connection (officer, admin), else null. */
    final User user;
    final String readsTopic;
    final String statusTopic;
    /** One per connection: decoders keep scratch state and are not thread-safe. */
    final ReadPayloadDecoder decoder;
    /** The reader's will payload (on its own status topic), published as its status if it drops. */
    byte[] will;
    boolean cleanDisconnect;
    /** An officer's alert session (null for readers). */
    Subscriptions.Session patrol;
    long livenessToken;
    boolean inflightLogged;
    boolean rateLogged;
    /** QoS 1 and 2 reads received and not yet acknowledged. */
    int inflight;
    /** QoS 2 packet ids being journaled (a duplicate PUBLISH waits for the first). */
    final Set<Integer> qos2Journaling = new HashSet<>();
    /** QoS 2 packet ids acknowledged with PUBREC, awaiting PUBREL. */
    final Set<Integer> qos2Received = new HashSet<>();
    private int paused;
    /** A 3.1.1 reader's batches read while the journal was at its cap, appended in order once it has room. */
    final java.util.ArrayDeque<Held> held = new java.util.ArrayDeque<>();
    private final TokenBucket rate;
    /**
     * Acknowledgements the journal released (queued by the journal's syncer thread, or by the thread that wrote the batch when fsync is off), sent and
     * flushed together by one task on the event loop; the flag says that task is scheduled.
     */
    final java.util.concurrent.ConcurrentLinkedQueue<ReadPublishHandler.DurableAck> acksDue =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    final java.util.concurrent.atomic.AtomicBoolean ackTaskPending = new java.util.concurrent.atomic.AtomicBoolean();

    MqttSession(String clientId, boolean mqtt5, ReaderInfo reader, User user, int maxReadsPerBatch, TokenBucket rate) {
        this.clientId = clientId;
        this.mqtt5 = mqtt5;
        this.reader = reader;
        this.user = user;
        this.readsTopic = reader == null ? null : "tags/" + reader.id() + "/reads";
        this.statusTopic = reader == null ? null : "tags/" + reader.id() + "/status";
        this.decoder = reader == null ? null : new ReadPayloadDecoder(maxReadsPerBatch);
        this.rate = rate;
    }

    /** Who is connected, for log lines. */
    String principal() {
        return reader != null ? "reader=" + reader.id() : "user=" + user.username();
    }

    TokenBucket rate() {
        return rate;
    }

    /** Stops reading the socket for {@code reason} (auto-read back-pressure). */
    void pause(Channel ch, int reason) {
        paused |= reason;
        ch.config().setAutoRead(false);
    }

    /** Lifts {@code reason}; reading resumes when no other reason holds. */
    void resume(Channel ch, int reason) {
        paused &= ~reason;
        if (paused == 0) {
            ch.config().setAutoRead(true);
        }
    }

    boolean pausedFor(int reason) {
        return (paused & reason) != 0;
    }

    /** A batch held back (not journaled, not acknowledged) until the journal has room. */
    record Held(io.tagwatch.read.ReadBatch batch, io.netty.handler.codec.mqtt.MqttQoS qos, int packetId) {
    }
}
