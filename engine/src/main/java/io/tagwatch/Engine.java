package io.tagwatch;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tagwatch.alert.Alerts;
import io.tagwatch.alert.Webhook;
import io.tagwatch.api.HttpApiServer;
import io.tagwatch.cluster.BrokerIngest;
import io.tagwatch.config.EngineConfig;
import io.tagwatch.hotlist.HotLists;
import io.tagwatch.hotlist.ListChangeListener;
import io.tagwatch.ingest.ClonedTagRule;
import io.tagwatch.ingest.IngestPipeline;
import io.tagwatch.journal.FileJournal;
import io.tagwatch.mqtt.MqttServer;
import io.tagwatch.registry.ReaderLiveness;
import io.tagwatch.registry.Registry;
import io.tagwatch.store.Database;
import io.tagwatch.store.SightingWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every component from one {@link EngineConfig}, starts them in
 * dependency order and stops them in reverse, so nothing accepted is lost at an orderly stop
 * (open sightings are closed into the writer, the writer and hit store drain).
 */
public final class Engine implements AutoCloseable {
    /** A queued read (a slot in a decoded batch) holds about a third of what a pending sighting does. */
    private static final int READS_PER_PENDING_ROW = 3;
    /**
     * Made-up hits taken through the hit path at start, on a thread of its own (~0.3 s): enough for
     * C1, short of C2's ~5,000 calls at tier 3 (see {@link IngestPipeline#warmUp}).
     */
    private static final int HIT_PATH_WARM_UP_ROUNDS = 4_000;
    /** How long readiness waits for the database: under the Dockerfile's health-check timeout (3 s). */
    private static final java.time.Duration READINESS_DATABASE_WAIT = java.time.Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Database database;
    private Registry registry;
    private HotLists hotLists;
    private SightingWriter writer;
    private Alerts alerts;
    private IngestPipeline ingest;
    private FileJournal journal;
    private String node;
    private final ReaderLiveness liveness = new ReaderLiveness();
    private MqttServer mqtt;
    private BrokerIngest broker;
    private int mqttPort;
    private int httpPort;
    private Optional<String> generatedAdminPassword = Optional.empty();
    private volatile boolean ready;

    private Engine() {
    }

    /** Starts the whole engine; on failure stops whatever had started and rethrows. */
    public static Engine start(EngineConfig config) {
        Engine e = new Engine();
        try {
            e.startAll(config);
            return e;
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    private void startAll(EngineConfig config) {
        database = started(Database.open(config, meters));
        DataSource db = database.dataSource();
        // The registry's change hook needs the hot lists and the hot lists load from the registry.
        HotLists[] lists = new HotLists[1];
        registry = new Registry(db, config.tokenTtl(), () -> lists[0].requestRebuild(),
                () -> lists[0].requestRegistryRebuild());
        hotLists = started(new HotLists(registry::openThefts, registry::registeredTags, registry::activeWatches));
        lists[0] = hotLists;
        hotLists.load();
        Path journalDir = config.dataDir().resolve("journal");
        NodeId nodeId = NodeId.of(journalDir);
        node = nodeId.id();
        started(new ListChangeListener(db, hotLists, node));
        generatedAdminPassword = registry.ensureAdmin(config.adminPassword());

        io.tagwatch.store.StorageMaintenance maintenance = started(new io.tagwatch.store.StorageMaintenance(db,
                config.retentionSightings(), config.retentionEvidence(), config.retentionCheckInterval()));
        maintenance.start();
        FunctionCounter.builder("tagwatch.retention.removed", maintenance, io.tagwatch.store.StorageMaintenance::removed)
                .description("sightings and expired evidence rows removed by the retention purge").register(meters);
        FunctionCounter.builder("tagwatch.storage.maintenance.failures", maintenance,
                io.tagwatch.store.StorageMaintenance::failures)
                .description("storage maintenance runs that failed (retried at the next interval)").register(meters);
        writer = started(new SightingWriter(db, node, config.writerBatchRows(), config.writerFlushInterval(), meters));
        long checkpoint = writer.loadCheckpoint();
        java.util.List<String> otherNodes = nodeId.created() ? writer.otherNodes() : java.util.List.of();
        if (!otherNodes.isEmpty()) {
            log.warn("{} had no node-id: this is a new node {}, beside the database's nodes {}. If this data directory "
                    + "was one of theirs and lost its journal, the reads it had acknowledged and not yet written are gone; "
                    + "a restored journal directory brings its node id back", journalDir, node, otherNodes);
        }
        MqttServer[] server = new MqttServer[1];
        BrokerIngest[] broker = new BrokerIngest[1];
        HttpApiServer[] api = new HttpApiServer[1];
        Webhook webhook = config.webhookUrl() == null ? null
                : started(new Webhook(java.net.URI.create(config.webhookUrl()), config.webhookSecret()));
        if (webhook != null) {
            FunctionCounter.builder("tagwatch.webhook.delivered", webhook, Webhook::delivered).register(meters);
            FunctionCounter.builder("tagwatch.webhook.dropped", webhook, Webhook::dropped)
                    .description("alerts dropped from a full webhook queue").register(meters);
        }
        alerts = started(new Alerts(db, (topic, payload) -> {
            if (server[0] != null) {
                server[0].publish(topic, payload);
            }
            if (broker[0] != null) {
                broker[0].publish(topic, payload);
            }
            if (api[0] != null) {
                api[0].alertStream().publish(topic, payload);
            }
            if (webhook != null) {
                webhook.publish(topic, payload);
            }
        }, meters));
        started(new io.tagwatch.alert.Reminders(db, alerts, config.reminderInterval(), config.reminderMax(),
                config.escalationTopic()));
        ClonedTagRule cloned = config.clonedHits() ? new ClonedTagRule(registry.readers(), hotLists,
                config.maxOpenSightings(), config.maxSpeedEbikeKmh(), config.maxSpeedMotorcycleKmh()) : null;
        if (cloned != null) {
            FunctionCounter.builder("tagwatch.cloned.table.resets", cloned, ClonedTagRule::resets)
                    .description("times the cloned-tag check's table was full and started afresh").register(meters);
        }
        ingest = started(new IngestPipeline(hotLists, registry.readers(), alerts, writer,
                config.dedupWindow().toMillis(), config.maxOpenSightings(), journalDir, checkpoint,
                config.checkpointInterval().toMillis(), config.writerBatchRows(), config.unregisteredHits(),
                config.hitSuppression().toMillis(),
                cloned));
        // Replays the journal after the checkpoint into the pipeline, then takes appends. The match
        // thread writes the journal itself (one hand-off fewer before an alert), unless every batch
        // is forced on its own: that waits for the disk, so it keeps a writer thread of its own.
        if (config.journalOptions().fsync() == io.tagwatch.journal.FsyncPolicy.EVERY_BATCH) {
            journal = started(FileJournal.open(journalDir, config.journalOptions(), checkpoint, ingest));
        } else {
            journal = started(FileJournal.openDriven(journalDir, config.journalOptions(), checkpoint, ingest, ingest::appended));
            ingest.drive(journal::writePending);
        }
        // The backlog the heap holds — reads received and not yet matched, closed sightings not yet
        // written — has a bound; past it the journal counts as full and readers are held back.
        // So has the match thread's own backlog, in reads: an alert waits behind it.
        long pendingCap = config.writerPendingCap();
        long unmatchedCap = config.maxUnmatchedReads();
        SightingWriter w = writer;
        journal.backPressure(() -> {
            long unmatched = unmatchedReads();
            return unmatched >= unmatchedCap || w.pending() + unmatched / READS_PER_PENDING_ROW >= pendingCap;
        });
        ingest.durablePosition(journal::durablePosition);
        writer.start(position -> {
            journal.checkpointed(position);
            ingest.checkpointCommitted(position);
        });
        if (!journal.durable()) {
            log.warn("journal fsync is off: acknowledged reads survive a crash of the engine, not a power loss");
        }
        bindMetrics();

        api[0] = started(new HttpApiServer(config, registry, liveness, hotLists, alerts, meters, () -> ready,
                this::readiness, db));
        httpPort = api[0].start();
        // Officers' and consoles' connections are served on the match thread, where alerts are raised.
        mqtt = started(new MqttServer(config, registry, journal, liveness, meters, ingest.subscriberLoop()));
        server[0] = mqtt;
        mqttPort = mqtt.start();
        if (config.ingestUrl() != null) {
            // Cluster mode: reads also come from the broker's shared subscription, alerts go back to it.
            broker[0] = started(new BrokerIngest(config, registry, journal, liveness, meters, node));
            broker[0].start();
            this.broker = broker[0];
        }
        Thread warmUp = new Thread(Engine::warmUpHitPath, "hit-path-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        ready = true;
        log.info("TagWatch ready: node={} mqtt={} http={} readers={} stolen={} journal checkpoint={} end={}", node,
                mqttPort, httpPort, registry.readers().size(), hotLists.stolenSize(), checkpoint, journal.appendPosition());
    }

    /** See {@link IngestPipeline#warmUp}; the alerts go to a loopback subscriber of their own. */
    private static void warmUpHitPath() {
        try (io.tagwatch.mqtt.AlertDeliveryWarmUp delivery = io.tagwatch.mqtt.AlertDeliveryWarmUp.open()) {
            // A registry of the node's kind, so the timers compiled are the node's.
            IngestPipeline.warmUp(HIT_PATH_WARM_UP_ROUNDS, delivery, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        } catch (RuntimeException e) {
            log.warn("hit path not compiled ahead (the first hits will be slower): {}", e.toString());
        }
    }

    private void bindMetrics() {
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(meters);
        new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(meters);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(meters);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(meters);
        FunctionCounter.builder("tagwatch.ingest.reads", ingest, p -> p.stats().reads())
                .description("reads matched against the hot lists").register(meters);
        Gauge.builder("tagwatch.dedup.open.windows", ingest, p -> p.stats().openWindows()).register(meters);
        Gauge.builder("tagwatch.ingest.queued.reads", this, Engine::unmatchedReads)
                .description("reads received (appended to the journal) and not yet matched").register(meters);
        FunctionCounter.builder("tagwatch.sightings.written", writer, SightingWriter::written)
                .description("sightings committed to the database").register(meters);
        Gauge.builder("tagwatch.sightings.pending", writer, SightingWriter::pending).register(meters);
        FunctionCounter.builder("tagwatch.hits.raised", alerts, Alerts::raised).description("hits raised").register(meters);
        Gauge.builder("tagwatch.hotlist.stolen.size", hotLists, HotLists::stolenSize).register(meters);
        Gauge.builder("tagwatch.hotlist.registered.size", hotLists, HotLists::registeredSize).register(meters);
        Gauge.builder("tagwatch.readers.clock.drift.flagged", registry.readers(), dir -> countReaders(dir, liveness::driftFlagged))
                .description("readers whose clock is off by more than 30 s").register(meters);
        Gauge.builder("tagwatch.readers.silent", registry.readers(),
                        dir -> countReaders(dir, id -> liveness.silent(id, System.currentTimeMillis())))
                .description("readers silent for five times their usual gap at this hour of the day (at least a minute)").register(meters);
        FunctionCounter.builder("tagwatch.hits.suppressed", ingest, IngestPipeline::suppressedHits)
                .description("hits not raised again for the same tag at the same reader").register(meters);
        FunctionCounter.builder("tagwatch.dedup.overflows", ingest, p -> p.stats().windowOverflows())
                .description("windows closed early because the dedup table was full").register(meters);
        Gauge.builder("tagwatch.journal.lag.bytes", journal, FileJournal::lagBytes).register(meters);
        Gauge.builder("tagwatch.journal.full", journal, j -> j.full() ? 1 : 0).register(meters);
        FunctionCounter.builder("tagwatch.journal.duplicates", journal, FileJournal::duplicates)
                .description("redelivered batches acknowledged without journaling them again").register(meters);
        Gauge.builder("tagwatch.journal.segments", journal, FileJournal::segmentCount).register(meters);
        Gauge.builder("tagwatch.writer.outage", writer, w -> w.outage() ? 1 : 0).register(meters);
        FunctionCounter.builder("tagwatch.writer.failures", writer, SightingWriter::failures)
                .description("sighting transactions the database refused (each retried)").register(meters);
        Gauge.builder("tagwatch.hotlist.watchlist.size", hotLists, HotLists::watchSize).register(meters);
    }

    /** What /health/ready reports: database reachable, journal taking reads, lists loaded. */
    private java.util.Map<String, Boolean> readiness() {
        java.util.Map<String, Boolean> checks = new java.util.LinkedHashMap<>();
        checks.put("database", database.answers(READINESS_DATABASE_WAIT));
        checks.put("journal", !journal.full());
        checks.put("lists", hotLists.stolenVersion() > 0);
        if (broker != null) {
            checks.put("broker", broker.connected()); // cluster mode: consuming the --ingest broker
        }
        return checks;
    }

    private static int countReaders(io.tagwatch.registry.ReaderDirectory dir, java.util.function.Predicate<String> test) {
        int n = 0;
        for (int i = 0; i < dir.size(); i++) {
            if (test.test(dir.byIndex(i).id())) {
                n++;
            }
        }
        return n;
    }

    private <T extends AutoCloseable> T started(T component) {
        started.push(component);
        return component;
    }

    public int mqttPort() {
        return mqttPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public Registry registry() {
        return registry;
    }

    public HotLists hotLists() {
        return hotLists;
    }

    public IngestPipeline ingest() {
        return ingest;
    }

    public SightingWriter sightingWriter() {
        return writer;
    }

    public Alerts alerts() {
        return alerts;
    }

    /** This node's id (kept in the data directory). */
    public String node() {
        return node;
    }

    public FileJournal journal() {
        return journal;
    }

    public ReaderLiveness liveness() {
        return liveness;
    }

    public MqttServer mqtt() {
        return mqtt;
    }

    public DataSource dataSource() {
        return database.dataSource();
    }

    /** Reads received and not yet matched: appended and not yet written, and written and not yet matched. */
    private long unmatchedReads() {
        return journal.pendingReads() + ingest.queuedReads();
    }

    /** The admin password generated at first start (shown once), if one was. */
    public Optional<String> generatedAdminPassword() {
        return generatedAdminPassword;
    }

    /** Stops in reverse start order: listeners first, then the pipeline drains into the writer. */
    @Override
    public void close() {
        if (started.isEmpty()) {
            return;
        }
        ready = false;
        log.info("stopping: listeners, journal (flushed), match thread (open sightings closed), alerts, "
                + "sighting writer (drained), database");
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
                log.info("stopped {}", c.getClass().getSimpleName());
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
        log.info("TagWatch stopped");
    }
}
