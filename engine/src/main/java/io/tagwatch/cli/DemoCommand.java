package io.tagwatch.cli;

import io.tagwatch.Engine;
import io.tagwatch.config.EngineConfig;
import io.tagwatch.ingest.IngestStats;
import io.tagwatch.registry.Role;
import io.tagwatch.registry.User;
import io.tagwatch.sim.AlertListener;
import io.tagwatch.sim.CityGrid;
import io.tagwatch.sim.CitySimulation;
import io.tagwatch.sim.Fleet;
import io.tagwatch.sim.ReaderClient;
import io.tagwatch.sim.SimClock;
import io.tagwatch.sim.SimReader;
import io.tagwatch.sim.TrafficModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tagwatch demo}: the whole system on one machine. An engine on an embedded PostgreSQL,
 * a city's vehicles registered, readers on a grid connected as Paho clients, a day of traffic
 * at accelerated time (the {@link TrafficModel}), thefts reported as they happen, a patrol
 * subscribed to every alert; then a summary that checks every expected hit was raised.
 * Exit code 1 when recall is below 100 %.
 *
 * <p>The city runs {@code --speed} times faster than real time, so the engine's rules that
 * are about time are scaled by the same factor: the dedup window and hit suppression are
 * divided by it and the cloned-tag speed limits multiplied by it. They then mean, in
 * simulated time, what the defaults mean in real time, and the cloned-tag rule stays on.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the engine with a simulated city and check every expected hit is raised.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    CityOptions city;

    @Option(names = "--duration", defaultValue = "45s",
            description = "How long the readers publish, real time, e.g. 60s, 5m (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--speed", defaultValue = "80",
            description = "Simulated seconds per real second; 60 = an hour a minute (default ${DEFAULT-VALUE}: an hour in 45 s).")
    double speed;

    @Option(names = "--mqtt-port", defaultValue = "1883", description = "MQTT port (default ${DEFAULT-VALUE}).")
    int mqttPort;

    @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--data-dir", description = "Where the demo's database lives (default: a new temporary directory, removed afterwards).")
    Path dataDir;

    private static final java.time.format.DateTimeFormatter HH_MM = java.time.format.DateTimeFormatter.ofPattern("HH:mm");
    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        quietLogs();
        boolean temporary = dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("tagwatch-demo") : dataDir;
        String adminPassword = "demo-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        EngineConfig defaults = EngineConfig.builder().build();
        EngineConfig config = EngineConfig.builder().mqttPort(mqttPort).httpPort(httpPort).dataDir(dir)
                .adminPassword(adminPassword)
                .dedupWindow(scaledDown(defaults.dedupWindow())).hitSuppression(scaledDown(defaults.hitSuppression()))
                .maxSpeedEbikeKmh((int) Math.round(defaults.maxSpeedEbikeKmh() * speed))
                .maxSpeedMotorcycleKmh((int) Math.round(defaults.maxSpeedMotorcycleKmh() * speed))
                .build();
        out.printf("TagWatch demo: %,d vehicles, %d readers, %d thefts, %s of traffic from %s at %s times real time "
                        + "(%s simulated; seed %d)%n", city.vehicles, city.readers, city.stolen, Durations.format(duration), city.startTime,
                fmt(speed), Durations.format(Duration.ofMillis(Math.round(duration.toMillis() * speed))), city.seed);
        out.println("Starting the engine on an embedded PostgreSQL in " + dir.toAbsolutePath() + " ...");
        Summary summary;
        try (Engine engine = Engine.start(config)) {
            Thread hook = new Thread(engine::close, "demo-interrupted");
            Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C: stop the engine and its database in order
            summary = run(engine, adminPassword);
            Runtime.getRuntime().removeShutdownHook(hook);
        } finally {
            if (temporary) {
                deleteTree(dir);
            }
        }
        summary.print(out);
        return summary.recall() < 1 ? 1 : 0;
    }

    private Duration scaledDown(Duration d) {
        return Duration.ofMillis(Math.max(1, Math.round(d.toMillis() / speed)));
    }

    private Summary run(Engine engine, String adminPassword) throws Exception {
        var registry = engine.registry();
        String broker = "tcp://127.0.0.1:" + engine.mqttPort();
        CityGrid grid = new CityGrid(city.readers);
        Map<String, String> secrets = new LinkedHashMap<>();
        for (SimReader r : grid.readers()) {
            if (registry.readers().byId(r.id()) == null) {
                secrets.put(r.id(), registry.createReader(r.id(), r.name(), r.lat(), r.lon(), r.district()));
            }
        }
        if (secrets.size() != grid.readers().size()) {
            throw new IllegalStateException("--data-dir already holds this city's readers; their secrets are not "
                    + "stored in clear, so the demo needs a fresh --data-dir");
        }
        Fleet fleet = new Fleet(city.vehicles, city.seed);
        long t0 = System.nanoTime();
        registry.importVehicles(fleet.rows());
        out.printf("Registered %,d vehicles in %.1f s and %d readers.%n", city.vehicles, (System.nanoTime() - t0) / 1e9, city.readers);

        User admin = registry.authenticateUser("admin", adminPassword).orElseThrow();
        String patrolPassword = "patrol-" + Long.toHexString(city.seed) + "-" + System.nanoTime();
        registry.createUser("patrol", patrolPassword, Role.OFFICER, "north-west", null);
        // Console accounts for each role (the owner owns the fleet's first vehicle); all but the patrol share admin's password.
        registry.createUser("clerk", adminPassword, Role.CLERK, null, null);
        registry.createUser("owner", adminPassword, Role.OWNER, null,
                registry.vehicleByTag(fleet.tag(0)).orElseThrow().ownerPhone());
        out.printf("Console: http://localhost:%d/ - log in as admin, clerk or owner (password %s), "
                + "or as patrol (officer of north-west, password %s). API: docs/api.md%n",
                engine.httpPort(), adminPassword, patrolPassword);

        Map<String, ReaderClient> clients = Map.of();
        try (AlertListener patrol = new AlertListener(broker, "patrol", patrolPassword)) {
            clients = ReaderClient.connectAll(broker, secrets, 1);
            long simStart = city.startTime.toSecondOfDay() * 1000L;
            long simLength = Math.round(duration.toMillis() * speed);
            TrafficModel model = new TrafficModel(grid, fleet, city.seed, simStart, city.stolen, simLength / 2);
            SimClock clock = new SimClock(System.currentTimeMillis(), simStart, speed);
            CitySimulation sim = new CitySimulation(grid, fleet, model, clock, clients, CitySimulation.Payload.MIXED, city.seed,
                    (theft, tag) -> {
                        awaitMatched(engine);
                        registry.reportTheft(registry.vehicleByTag(tag).orElseThrow().id(), admin);
                        engine.hotLists().requestRebuild().get();
                    });
            out.printf("%d readers connected; patrol subscribed to alerts/#. Each theft is reported by its owner 1 to 10 "
                    + "minutes after it happens; from then on each reader the thief passes must raise one hit.%n", city.readers);
            Progress progress = new Progress(engine, sim, patrol, System.console() != null);
            sim.run(duration.toMillis(), 200, progress::print);
            progress.end();
            sim.awaitAcks();
            awaitMatched(engine);
            Thread.sleep(1_000); // alerts in flight to the patrol's client
            return summary(engine, sim, patrol);
        } finally {
            ReaderClient.closeAll(clients.values());
        }
    }

    private static Summary summary(Engine engine, CitySimulation sim, AlertListener patrol) {
        Set<String> expected = sim.expectedHits();
        Map<String, Long> alerted = patrol.alerted();
        Map<String, Long> published = sim.publishedAt();
        Map<String, Long> received = patrol.engineReceivedAt();
        List<Long> latencies = new ArrayList<>();
        List<Long> toEngine = new ArrayList<>();
        List<Long> inEngine = new ArrayList<>();
        int found = 0;
        for (String key : expected) {
            Long at = alerted.get(key);
            if (at != null) {
                found++;
                latencies.add(at - published.get(key));
                Long receipt = received.get(key);
                if (receipt != null) {
                    toEngine.add(receipt - published.get(key));
                    inEngine.add(at - receipt);
                }
            }
        }
        Collections.sort(latencies);
        Collections.sort(toEngine);
        Collections.sort(inEngine);
        return new Summary(sim.passes(), sim.readsSent(), sim.batchesAcked(), sim.batchesFailed(), engine.ingest().stats(),
                sim.model().thefts().size(), expected.size(), engine.alerts().raised(), patrol.alerts(), found,
                patrol.duplicates(), patrol.reminders(), quantile(latencies, 0.5), quantile(latencies, 0.99),
                quantile(toEngine, 0.5), quantile(toEngine, 0.99), quantile(inEngine, 0.5), quantile(inEngine, 0.99), engine);
    }

    /** One progress line a second: rewritten in place on a terminal, a line each in a log. */
    private final class Progress {
        private final Engine engine;
        private final CitySimulation sim;
        private final AlertListener patrol;
        private final boolean live;
        private final long start = System.nanoTime();
        private long lastReads;
        private long lastSightings;

        Progress(Engine engine, CitySimulation sim, AlertListener patrol, boolean live) {
            this.engine = engine;
            this.sim = sim;
            this.patrol = patrol;
            this.live = live;
        }

        void print() {
            IngestStats s = engine.ingest().stats();
            long sightings = engine.sightingWriter().written();
            String simNow = LocalTime.ofSecondOfDay((sim.model().now() / 1000) % 86_400).format(HH_MM);
            out.printf("%s  t=%3ds  %s  reads/s %,7d  sightings/s %,6d  hits %,4d  alerts %,4d  journal lag %,6d KiB%s",
                    live ? "\r" : "", Math.round((System.nanoTime() - start) / 1e9), simNow, s.reads() - lastReads,
                    sightings - lastSightings, engine.alerts().raised(), patrol.alerts(), engine.journal().lagBytes() / 1024,
                    live ? "" : System.lineSeparator());
            lastReads = s.reads();
            lastSightings = sightings;
        }

        void end() {
            if (live) {
                out.println();
            }
        }
    }

    /** Waits (up to 30 s) until every batch the journal holds has been matched. */
    private static void awaitMatched(Engine engine) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (engine.ingest().stats().queuedBatches() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** The demo's terminal is for the progress line: engine logs below WARN would drown it. */
    private static void quietLogs() {
        if (System.getenv("TAGWATCH_LOG_LEVEL") == null
                && org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    /** Nearest-rank quantile of sorted values, or -1 when there are none. */
    static long quantile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** What the run did, and whether every expected hit was raised. */
    private record Summary(long passes, long readsSent, long batchesAcked, long batchesFailed, IngestStats stats,
                           int theftsReported, int hitsExpected, long hitsRaised, long alertsReceived,
                           int expectedAlerted, long duplicateAlerts, long reminders, long p50, long p99,
                           long toEngineP50, long toEngineP99, long inEngineP50, long inEngineP99, Engine engine) {
        double recall() {
            return hitsExpected == 0 ? 1 : (double) expectedAlerted / hitsExpected;
        }

        /** Alerts about an expected (tag, reader) among all alerts, a duplicate counting as a wrong one. */
        double precision() {
            return alertsReceived == 0 ? 1 : (double) expectedAlerted / alertsReceived;
        }

        void print(PrintStream out) {
            out.println();
            out.println("Summary");
            out.printf("  vehicle passes        %,12d%n", passes);
            out.printf("  reads sent            %,12d  (%,d batches acknowledged, %,d failed)%n", readsSent, batchesAcked, batchesFailed);
            out.printf("  reads matched         %,12d%n", stats.reads());
            out.printf("  sightings written     %,12d  (to PostgreSQL with COPY)%n", engine.sightingWriter().written());
            out.printf("  thefts reported       %,12d%n", theftsReported);
            out.printf("  hits expected         %,12d%n", hitsExpected);
            out.printf("  hits raised           %,12d  (%,d stored)%n", hitsRaised, engine.alerts().stored());
            out.printf("  alerts to the patrol  %,12d  (%,d of the expected; %,d duplicates)%n", alertsReceived, expectedAlerted, duplicateAlerts);
            if (reminders > 0) {
                out.printf("  reminders             %,12d  (a hit nobody acknowledged is published again every 5 minutes; not new alerts)%n", reminders);
            }
            out.printf("  recall %.1f %%, precision %.1f %%, alert latency (reader publish -> patrol) p50 %d ms, p99 %d ms%n",
                    recall() * 100, precision() * 100, p50, p99);
            // The simulator's 400 reader clients publish each tick's batches at once on this machine's cores:
            // the split shows how much of the above is theirs and how much the engine's.
            out.printf("    of which reader publish -> engine receipt p50 %d ms, p99 %d ms; engine receipt -> patrol p50 %d ms, p99 %d ms%n",
                    toEngineP50, toEngineP99, inEngineP50, inEngineP99);
            out.println(recall() == 1 && precision() == 1 ? "  RESULT: every expected hit raised, once, and nothing else."
                    : recall() == 1 ? "  RESULT: every expected hit raised, but also alerts nobody expected."
                    : "  RESULT: HITS MISSED");
        }
    }
}
