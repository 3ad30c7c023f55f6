package io.tagwatch.mqtt;

import io.netty.util.AttributeKey;
import io.tagwatch.read.ReadPayloadDecoder;
import io.tagwatch.registry.ReaderInfo;
import io.tagwatch.registry.User;

/**
 * What the server knows about one authenticated connection. Created on a successful CONNECT;
 * touched only by the channel's event loop.
 */
final class MqttSession {
    static final AttributeKey<MqttSession> KEY = AttributeKey.valueOf("tagwatch.mqtt.session");

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
    private int nextPacketId = 1;

    MqttSession(String clientId, boolean mqtt5, ReaderInfo reader, User user, int maxReadsPerBatch) {
        this.clientId = clientId;
        this.mqtt5 = mqtt5;
        this.reader = reader;
        this.user = user;
        this.readsTopic = reader == null ? null : "tags/" + reader.id() + "/reads";
        this.statusTopic = reader == null ? null : "tags/" + reader.id() + "/status";
        this.decoder = reader == null ? null : new ReadPayloadDecoder(maxReadsPerBatch);
    }

    /** Who is connected, for log lines. */
    String principal() {
        return reader != null ? "reader=" + reader.id() : "user=" + user.username();
    }

    /** Next packet id for an outbound QoS 1 publish (1..65535, wrapping). */
    int nextPacketId() {
        int id = nextPacketId;
        nextPacketId = id == 0xFFFF ? 1 : id + 1;
        return id;
    }
}
