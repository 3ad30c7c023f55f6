package io.tagwatch.alert;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.read.TagIds;
import io.tagwatch.registry.RegistryException;
import io.tagwatch.registry.User;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises hits: each goes out as a JSON alert on {@code alerts/{district}} at once, on the
 * raising thread (the match thread, which serves the subscribers' connections and so writes
 * to their sockets itself; other raisers' alerts are queued to it, see
 * {@link AlertPublisher}), and is stored in the {@code hits} table by a separate thread, so an
 * alert never waits for the database. A hit the database refuses is retried with back-off,
 * never dropped.
 *
 * <p>{@link #raise} is thread-safe and does not block. Publishing on the raising thread rather
 * than handing the alert to a publish thread saves a thread wake-up on the alert's path (a mean
 * of 3–4 ms, tails of 100 ms and more with the two cores busy: benchmarks/RESULTS.md); the
 * serialising (tens of µs) is paid per hit, and hits are rare next to reads.
 */
public final class Alerts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Alerts.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AlertPublisher publisher;
    private final io.micrometer.core.instrument.Timer latency;
    private final AlertStages stages;
    private final HitStore store;
    private final BlockingQueue<Hit> toStore = new LinkedBlockingQueue<>();
    private final AtomicLong raised = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    private final Thread storeThread;
    private volatile boolean running = true;

    public Alerts(DataSource db, AlertPublisher publisher, io.micrometer.core.instrument.MeterRegistry meters) {
        this(db, publisher, meters, true);
    }

    private Alerts(DataSource db, AlertPublisher publisher, io.micrometer.core.instrument.MeterRegistry meters,
                   boolean storing) {
        this.publisher = publisher;
        this.latency = io.micrometer.core.instrument.Timer.builder("tagwatch.alert.latency")
                .description("from the batch's arrival to its alert handed to subscribers")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                .register(meters);
        this.stages = new AlertStages(meters);
        this.store = new HitStore(db);
        this.storeThread = new Thread(this::storeLoop, "hit-store");
        storeThread.setDaemon(true);
        if (storing) {
            storeThread.start();
        }
    }

    /**
     * Alerts that go to {@code publisher} and are never stored, timed in {@code meters}: for
     * compiling the alert's path at start ({@code IngestPipeline.warmUp}) through the very code a
     * hit takes, with its own registry so that its timings stay out of the node's. Its hits pile up
     * unstored until {@link #discardUnstored}.
     */
    public static Alerts unstored(AlertPublisher publisher, io.micrometer.core.instrument.MeterRegistry meters) {
        return new Alerts(null, publisher, meters, false);
    }

    /** Drops the hits waiting to be stored (those of {@link #unstored} alerts, which nothing stores). */
    public void discardUnstored() {
        toStore.clear();
    }

    /** Sends the alert and stores the hit, both asynchronously. */
    public void raise(Hit hit) {
        raise(hit, Map.of());
    }

    /** As {@link #raise(Hit)}, the alert carrying {@code extra} fields beside the hit's own. */
    public void raise(Hit hit, Map<String, Object> extra) {
        raised.incrementAndGet();
        try {
            long started = System.nanoTime();
            publisher.publish(topic(hit.district()), toJson(hit, extra));
            stages.published(System.nanoTime() - started);
            latency.record(Math.max(0, System.currentTimeMillis() - hit.receivedAt()), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            log.error("alert of hit id={} not published (the hit is stored)", hit.id(), e);
        }
        // After the alert is on its way: waking the store thread first let it take the CPU from
        // this one (two vCPUs, both busy) before the alert was even serialised.
        toStore.add(hit);
    }

    /** The alert path's stage timings, recorded by whoever raises hits from live batches. */
    public AlertStages stages() {
        return stages;
    }

    public long raised() {
        return raised.get();
    }

    public long stored() {
        return stored.get();
    }

    /** Newest hits first, optionally filtered, one page (blocks on the database). */
    public List<Map<String, Object>> recentHits(int limit, int offset, String status, String district, String list) {
        try {
            return store.recent(limit, offset, status, district, list);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list hits limit=" + limit, e);
        }
    }

    /** One hit, or empty. */
    public java.util.Optional<Map<String, Object>> hit(java.util.UUID id) {
        try {
            return store.byId(id);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read hit id=" + id, e);
        }
    }

    /**
     * An officer takes the hit: new → acknowledged.
     *
     * @throws RegistryException NOT_FOUND for an unknown hit, CONFLICT when it is not new
     */
    public Map<String, Object> acknowledge(java.util.UUID id, User officer) {
        try {
            if (!store.acknowledge(id, officer.id())) {
                Map<String, Object> h = store.byId(id).orElseThrow(() -> RegistryException.notFound("hit " + id));
                throw RegistryException.conflict("status", "hit " + id + " is " + h.get("status") + ", not new");
            }
            log.info("hit acknowledged id={} by={}", id, officer.username());
            return store.byId(id).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot acknowledge hit id=" + id, e);
        }
    }

    /**
     * Closes the hit as recovered, not found or false alarm. Recovered also closes the theft
     * report (through {@code onRecovered}), taking the vehicle off the stolen list.
     */
    public Map<String, Object> resolve(java.util.UUID id, User officer, String resolution,
                                       java.util.function.LongConsumer onRecovered) {
        if (!java.util.Set.of("recovered", "not_found", "false_alarm").contains(resolution)) {
            throw RegistryException.invalid("resolution", "must be recovered, not_found or false_alarm");
        }
        try {
            Map<String, Object> before = store.byId(id).orElseThrow(() -> RegistryException.notFound("hit " + id));
            if (!store.resolve(id, officer.id(), resolution)) {
                throw RegistryException.conflict("status", "hit " + id + " is already resolved");
            }
            log.info("hit resolved id={} as={} by={}", id, resolution, officer.username());
            if ("recovered".equals(resolution) && before.get("vehicleId") != null && "stolen".equals(before.get("list"))) {
                onRecovered.accept((Long) before.get("vehicleId"));
            }
            return store.byId(id).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot resolve hit id=" + id, e);
        }
    }

    /**
     * Publishes a stored hit's alert again on {@code topic} (a reminder, an escalation): the same
     * JSON as when it was raised, with {@code extra}'s fields beside the hit's.
     */
    void republish(String topic, Hit hit, Map<String, Object> extra) {
        publisher.publish(topic, toJson(hit, extra));
    }

    /** The alert topic for a district. */
    public static String topic(String district) {
        return "alerts/" + district;
    }

    /**
     * The alert's JSON, written field by field with Jackson's streaming generator: building a
     * tree first (and the incident through {@code valueToTree}) took 24 µs an alert even compiled.
     */
    static byte[] toJson(Hit h, Map<String, Object> extra) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(640);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("hitId", h.id().toString());
            g.writeStringField("list", h.listKind());
            g.writeNumberField("listVersion", h.listVersion());
            g.writeStringField("rule", h.rule());
            g.writeStringField("tag", TagIds.format(h.tag()));
            g.writeStringField("plate", h.plate());
            g.writeObjectFieldStart("vehicle");
            idOrNull(g, "id", h.vehicleId());
            g.writeStringField("kind", h.vehicleKind());
            g.writeStringField("brand", h.brand());
            g.writeStringField("color", h.color());
            g.writeEndObject();
            idOrNull(g, "theftReportId", h.theftReportId());
            g.writeObjectFieldStart("reader");
            g.writeStringField("id", h.readerId());
            g.writeStringField("name", h.readerName());
            g.writeNumberField("lat", h.lat());
            g.writeNumberField("lon", h.lon());
            g.writeStringField("district", h.district());
            g.writeEndObject();
            if (h.watchlistId() > 0) {
                g.writeNumberField("watchlistId", h.watchlistId());
            }
            if (h.note() != null) {
                g.writeStringField("note", h.note()); // the watchlist entry's reason, or a cloned tag's evidence
            }
            g.writeStringField("readerTime", Instant.ofEpochMilli(h.readerTime()).toString());
            g.writeStringField("receivedAt", Instant.ofEpochMilli(h.receivedAt()).toString());
            if (h.rssi() == Integer.MIN_VALUE) {
                g.writeNullField("rssi");
            } else {
                g.writeNumberField("rssi", h.rssi());
            }
            for (Map.Entry<String, Object> e : extra.entrySet()) {
                g.writeObjectField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot serialise hit id=" + h.id(), e);
        }
        return out.toByteArray();
    }

    /** An id, or null where the hit has none (0). */
    private static void idOrNull(JsonGenerator g, String field, long id) throws java.io.IOException {
        if (id > 0) {
            g.writeNumberField(field, id);
        } else {
            g.writeNullField(field);
        }
    }

    private void storeLoop() {
        long backoffMs = 500;
        java.util.List<Hit> batch = new java.util.ArrayList<>();
        while (running || !batch.isEmpty() || !toStore.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    Hit first = toStore.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    toStore.drainTo(batch, 999);
                }
                store.insert(batch);
                stored.addAndGet(batch.size());
                batch.clear();
                backoffMs = 500;
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                log.warn("{} hits not stored (kept), retrying in {} ms: {}", batch.size(), backoffMs, e.toString());
                if (!running) {
                    log.error("stopping with {} hits not stored", toStore.size() + batch.size());
                    return;
                }
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 30_000);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            storeThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
