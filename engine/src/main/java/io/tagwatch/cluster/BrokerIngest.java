package io.tagwatch.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.tagwatch.alert.AlertPublisher;
import io.tagwatch.config.EngineConfig;
import io.tagwatch.journal.Journal;
import io.tagwatch.read.PayloadError;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.read.ReadPayloadDecoder;
import io.tagwatch.registry.ReaderInfo;
import io.tagwatch.registry.ReaderLiveness;
import io.tagwatch.registry.Registry;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.DisconnectedBufferOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: this node consumes readers' batches from an MQTT broker (cluster) in the shared
 * subscription {@code $share/<group>/tags/+/reads}, with the Eclipse Paho MQTT 5 client, and
 * publishes alerts back to the broker's {@code alerts/{district}}.
 *
 * <p>Acknowledgement is manual: a batch's PUBACK goes to the broker only once the journal has
 * it on disk (the same append-with-callback as the node's own MQTT server), so a node killed
 * before that leaves the batch unacknowledged in its persistent session (client id
 * {@code tagwatch-<node id>}, kept in the data directory) and the broker sends it again when the
 * node is back; the journal recognises a batch it already has. The Receive Maximum this node
 * announces ({@code --inflight-window}) is the in-flight window: past it the broker sends this
 * node nothing until acknowledgements catch up. With the journal at its cap a batch is kept
 * and appended again every half second, so its acknowledgement (and with it the whole window)
 * waits: back-pressure, not buffering.
 *
 * <p>The broker authenticates readers and enforces its ACL; this node takes the reader's id
 * from the topic and refuses (acknowledges, drops, counts and logs) batches of readers it does
 * not know and payloads it cannot decode, since sending them again could never succeed.
 */
public final class BrokerIngest implements AlertPublisher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerIngest.class);
    static final long SESSION_EXPIRY_SECONDS = 24 * 3600;

    private final EngineConfig config;
    private final Registry registry;
    private final Journal journal;
    private final ReaderLiveness liveness;
    private final ReadPayloadDecoder decoder; // Paho's callback thread only
    private final String filter;
    private final MqttAsyncClient client;
    private final ScheduledExecutorService acks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "broker-acks");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger inflight = new AtomicInteger();
    private final Set<String> unknownLogged = ConcurrentHashMap.newKeySet();
    private final Counter accepted;
    private final Counter droppedByTime;
    private final Counter unknownReader;
    private final Counter payloadInvalid;
    private final Counter journalFull;
    private final Counter alertsPublished;
    private final Counter alertsDropped;
    private volatile boolean connected;

    public BrokerIngest(EngineConfig config, Registry registry, Journal journal, ReaderLiveness liveness,
                        MeterRegistry meters, String node) {
        this.config = config;
        this.registry = registry;
        this.journal = journal;
        this.liveness = liveness;
        this.decoder = new ReadPayloadDecoder(config.maxReadsPerBatch());
        this.filter = "$share/" + config.sharedGroup() + "/tags/+/reads";
        String uri = config.ingestUrl().replaceFirst("^mqtts://", "ssl://").replaceFirst("^mqtt://", "tcp://")
                .replaceFirst("/$", "");
        try {
            this.client = new MqttAsyncClient(uri, "tagwatch-" + node, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalStateException("--ingest " + config.ingestUrl() + ": " + e.getMessage(), e);
        }
        accepted = Counter.builder("tagwatch.reads").tag("outcome", "accepted").register(meters);
        droppedByTime = Counter.builder("tagwatch.reads").tag("outcome", "dropped_time").register(meters);
        unknownReader = refused(meters, "unknown_reader");
        payloadInvalid = refused(meters, "payload_invalid");
        journalFull = Counter.builder("tagwatch.broker.backpressure").tag("reason", "journal_full")
                .description("batches from the broker kept unacknowledged because the journal was at its cap")
                .register(meters);
        alertsPublished = Counter.builder("tagwatch.broker.alerts.published").register(meters);
        alertsDropped = Counter.builder("tagwatch.broker.alerts.dropped")
                .description("alerts the broker client could neither send nor buffer").register(meters);
        meters.gauge("tagwatch.broker.connected", this, b -> b.connected ? 1 : 0);
        meters.gauge("tagwatch.broker.inflight", inflight);
    }

    private static Counter refused(MeterRegistry meters, String reason) {
        return Counter.builder("tagwatch.broker.refusals").tag("reason", reason)
                .description("batches from the broker acknowledged and dropped").register(meters);
    }

    /** Connects (persistent session, manual acknowledgement) and subscribes; fails naming --ingest. */
    public void start() {
        client.setManualAcks(true);
        DisconnectedBufferOptions buffer = new DisconnectedBufferOptions();
        buffer.setBufferEnabled(true);
        buffer.setBufferSize(config.sessionQueue());
        buffer.setDeleteOldestMessages(true);
        client.setBufferOpts(buffer);
        client.setCallback(new Callback());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(SESSION_EXPIRY_SECONDS);
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 30);
        o.setReceiveMaximum(config.inflightWindow());
        o.setKeepAliveInterval(30);
        if (config.ingestUser() != null) {
            o.setUserName(config.ingestUser());
        }
        if (config.ingestPassword() != null) {
            o.setPassword(config.ingestPassword().getBytes(StandardCharsets.UTF_8));
        }
        try {
            client.connect(o).waitForCompletion(30_000);
        } catch (MqttException e) {
            throw new IllegalStateException("cannot connect to --ingest " + config.ingestUrl() + ": " + e.getMessage(), e);
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            connected = true;
            try {
                client.subscribe(filter, 1);
                log.info("{} to broker {}: consuming {}", reconnect ? "reconnected" : "connected", serverUri, filter);
            } catch (MqttException e) {
                log.error("cannot subscribe to {} at {}: {}", filter, serverUri, e.toString());
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            connected = false;
            log.warn("broker {} disconnected: {} (reconnecting)", config.ingestUrl(), response);
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            log.warn("broker {}: {}", config.ingestUrl(), e.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            arrived(topic, message);
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // alerts: nothing to do
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // no enhanced authentication
        }
    }

    /** On Paho's callback thread, one message at a time. */
    private void arrived(String topic, MqttMessage message) {
        if (message.getQos() > 0) {
            inflight.incrementAndGet();
        }
        String readerId = readerOf(topic);
        ReaderInfo reader = readerId == null ? null : registry.reader(readerId);
        if (reader == null) {
            unknownReader.increment();
            if (unknownLogged.size() < 1_000 && unknownLogged.add(String.valueOf(readerId))) {
                log.warn("batch on topic={} refused: no provisioned reader {} (logged once per reader)", topic, readerId);
            }
            ack(message);
            return;
        }
        long now = System.currentTimeMillis();
        long arrival = System.nanoTime();
        ReadBatch batch = new ReadBatch(16);
        PayloadError error = decoder.decode(Unpooled.wrappedBuffer(message.getPayload()), batch);
        if (error != PayloadError.NONE) {
            payloadInvalid.increment();
            log.warn("reader={} batch from the broker refused: {} ({})", readerId, error, decoder.lastErrorDetail());
            ack(message);
            return;
        }
        batch.source(reader.id(), reader.index(), now);
        batch.arrivedAt(arrival);
        int dropped = batch.resolveTimes(config.maxReadFuture().toMillis(), config.maxReadAge().toMillis());
        droppedByTime.increment(dropped);
        if (batch.size() == 0) {
            ack(message);
            return;
        }
        liveness.batch(reader.id(), now, batch.newestTimestamp());
        append(batch, message);
    }

    /** Appends, acknowledging once durable; with the journal full, tries again in half a second. */
    private void append(ReadBatch batch, MqttMessage message) {
        if (journal.append(batch, () -> acks.execute(() -> ack(message)))) {
            accepted.increment(batch.size());
            return;
        }
        journalFull.increment();
        acks.schedule(() -> append(batch, message), 500, TimeUnit.MILLISECONDS);
    }

    private void ack(MqttMessage message) {
        if (message.getQos() == 0) {
            return;
        }
        inflight.decrementAndGet();
        try {
            client.messageArrivedComplete(message.getId(), message.getQos());
        } catch (MqttException e) {
            // The connection is gone: the broker sends the batch again on the next connection
            // and the journal recognises it.
            log.debug("acknowledgement of message {} not sent: {}", message.getId(), e.toString());
        }
    }

    /** {@code tags/{id}/reads} → id, or null for any other shape. */
    static String readerOf(String topic) {
        if (!topic.startsWith("tags/") || !topic.endsWith("/reads")) {
            return null;
        }
        String id = topic.substring(5, topic.length() - 6);
        return id.isEmpty() || id.indexOf('/') >= 0 ? null : id;
    }

    /** Alerts to the broker at QoS 1; while disconnected they wait in a bounded buffer (oldest dropped). */
    @Override
    public void publish(String topic, byte[] payload) {
        try {
            client.publish(topic, payload, 1, false);
            alertsPublished.increment();
        } catch (MqttException e) {
            alertsDropped.increment();
            log.warn("alert to broker topic={} dropped: {}", topic, e.toString());
        }
    }

    /** Whether the client is connected to the broker now. */
    public boolean connected() {
        return connected;
    }

    /**
     * Disconnects, keeping the subscription in the broker session: what is unacknowledged, and
     * this node's share of what arrives while it is away, wait there for it (on restart the
     * journal recognises the batches it already has). Unsubscribing instead would let the broker
     * drop readers' batches whenever no node at all is subscribed.
     */
    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2_000).waitForCompletion(5_000);
            }
        } catch (MqttException e) {
            log.warn("broker disconnect: {}", e.toString());
        } finally {
            acks.shutdown();
            try {
                client.close(true);
            } catch (MqttException e) {
                // already closed
            }
        }
    }
}
