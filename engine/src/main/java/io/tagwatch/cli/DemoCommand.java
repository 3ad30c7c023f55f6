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
import io.tagwatch.sim.SimReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import picocli.CommandLine.Option;

/**
 * {@code tagwatch demo}: the whole system on one machine. An engine on an embedded PostgreSQL,
 * a city's vehicles registered, readers on a grid connected as Paho clients, some vehicles
 * reported stolen and driven through the city, a patrol subscribed to every alert; then a
 * summary that checks every expected hit was raised. Exit code 1 when one was missed.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the engine with a simulated city and check every expected hit is raised.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--vehicles", defaultValue = "220000", description = "Registered vehicles (default ${DEFAULT-VALUE}).")
    int vehicles;

    @Option(names = "--readers", defaultValue = "100", description = "Readers on the grid (default ${DEFAULT-VALUE}).")
    int readers;

    @Option(names = "--stolen", defaultValue = "40", description = "Vehicles reported stolen (default ${DEFAULT-VALUE}).")
    int stolen;

    @Option(names = "--duration", defaultValue = "60s",
            description = "How long the readers publish, e.g. 60s, 5m (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--passes-per-second", defaultValue = "1000",
            description = "Vehicle passes per second across the city, 3 reads each (default ${DEFAULT-VALUE}).")
    int passesPerSecond;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the simulation (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--mqtt-port", defaultValue = "1883", description = "MQTT port (default ${DEFAULT-VALUE}).")
    int mqttPort;

    @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--data-dir", description = "Where the demo's database lives (default: a new temporary directory, removed afterwards).")
    Path dataDir;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Duration runFor = duration;
        quietLogs();
        boolean temporary = dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("tagwatch-demo") : dataDir;
        String adminPassword = "demo-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        // The simulated ordinary traffic puts vehicles at random junctions second by second, which is
        // exactly what a cloned tag looks like; the cloned-tag rule stays off until the simulator
        // drives real trips (issue 8).
        EngineConfig config = EngineConfig.builder().mqttPort(mqttPort).httpPort(httpPort).dataDir(dir)
                .adminPassword(adminPassword).clonedHits(false).build();
        out.printf("TagWatch demo: %,d vehicles, %d readers, %d stolen, %s of traffic (seed %d)%n",
                vehicles, readers, stolen, Durations.format(runFor), seed);
        out.println("Starting the engine on an embedded PostgreSQL in " + dir.toAbsolutePath() + " ...");
        Summary summary;
        try (Engine engine = Engine.start(config)) {
            Thread hook = new Thread(engine::close, "demo-interrupted");
            Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C: stop the engine and its database in order
            summary = run(engine, adminPassword, runFor);
            Runtime.getRuntime().removeShutdownHook(hook);
        } finally {
            if (temporary) {
                deleteTree(dir);
            }
        }
        summary.print(out);
        return summary.allHitsRaised() ? 0 : 1;
    }

    private Summary run(Engine engine, String adminPassword, Duration runFor) throws Exception {
        var registry = engine.registry();
        String broker = "tcp://127.0.0.1:" + engine.mqttPort();
        CityGrid grid = new CityGrid(readers);
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
        Fleet fleet = new Fleet(vehicles, seed);
        long t0 = System.nanoTime();
        registry.importVehicles(fleet.rows());
        out.printf("Registered %,d vehicles in %.1f s and %d readers.%n", vehicles, (System.nanoTime() - t0) / 1e9, readers);

        User admin = registry.authenticateUser("admin", adminPassword).orElseThrow();
        int[] stolenVehicles = CitySimulation.pickStolen(vehicles, stolen, seed);
        for (int v : stolenVehicles) {
            long id = registry.vehicleByTag(fleet.tag(v)).orElseThrow().id();
            registry.reportTheft(id, admin);
        }
        engine.hotLists().requestRebuild().get();
        String patrolPassword = "patrol-" + Long.toHexString(seed) + "-" + System.nanoTime();
        registry.createUser("patrol", patrolPassword, Role.OFFICER, "north-west", null);
        out.printf("Reported %d vehicles stolen; each drives on, passing a new junction every 3 s, and each pass "
                + "must raise one hit.%nAPI: http://localhost:%d (user admin, password %s); see docs/api.md%n",
                stolenVehicles.length, engine.httpPort(), adminPassword);
        // Console accounts for each role (the owner owns the first stolen vehicle); all but the patrol share admin's password.
        registry.createUser("clerk", adminPassword, Role.CLERK, null, null);
        registry.createUser("owner", adminPassword, Role.OWNER, null,
                registry.vehicleByTag(fleet.tag(stolenVehicles.length > 0 ? stolenVehicles[0] : 0)).orElseThrow().ownerPhone());
        out.printf("Console: http://localhost:%d/ - log in as admin, clerk or owner (password %s), "
                + "or as patrol (officer of north-west, password %s)%n", engine.httpPort(), adminPassword, patrolPassword);

        Map<String, ReaderClient> clients = new LinkedHashMap<>();
        try (AlertListener patrol = new AlertListener(broker, "patrol", patrolPassword)) {
            for (SimReader r : grid.readers()) {
                clients.put(r.id(), new ReaderClient(broker, r.id(), secrets.get(r.id())));
            }
            CitySimulation sim = new CitySimulation(grid, fleet, stolenVehicles, clients, passesPerSecond, 3, seed);
            out.printf("%d readers connected; patrol subscribed to alerts/#. Publishing for %s "
                    + "(sightings are written once a vehicle has left a reader for 30 s) ...%n", readers, Durations.format(runFor));
            long start = System.nanoTime();
            long end = start + runFor.toNanos();
            long next = start;
            long lastReads = 0;
            boolean live = System.console() != null;
            while (System.nanoTime() < end) {
                sim.tick();
                next += 1_000_000_000L;
                long sleep = (next - System.nanoTime()) / 1_000_000;
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
                IngestStats s = engine.ingest().stats();
                // one line rewritten in place on a terminal; a line per second in a log
                out.printf("%s  t=%3ds  reads/s %,7d  reads %,10d  sightings open %,7d written %,9d  hits %,4d  alerts %,4d%s",
                        live ? "\r" : "", Math.round((System.nanoTime() - start) / 1e9), s.reads() - lastReads, s.reads(),
                        s.openWindows(), engine.sightingWriter().written(), engine.alerts().raised(), patrol.alerts(),
                        live ? "" : System.lineSeparator());
                lastReads = s.reads();
            }
            if (live) {
                out.println();
            }
            awaitQuiet(engine, sim);
            Set<String> expected = sim.expectedHits();
            Map<String, Long> alerted = patrol.alerted();
            Map<String, Long> published = sim.publishedAt();
            List<Long> latencies = new ArrayList<>();
            int found = 0;
            for (String key : expected) {
                Long at = alerted.get(key);
                if (at != null) {
                    found++;
                    latencies.add(at - published.get(key));
                }
            }
            Collections.sort(latencies);
            return new Summary(sim.readsSent(), sim.batchesAcked(), sim.batchesFailed(), engine.ingest().stats(),
                    expected.size(), engine.alerts().raised(), patrol.alerts(), found, patrol.duplicates(),
                    quantile(latencies, 0.5), quantile(latencies, 0.99), engine);
        } finally {
            clients.values().forEach(ReaderClient::close);
        }
    }

    /** Waits (up to 30 s) until every batch is acknowledged, matched, and its alerts delivered. */
    private static void awaitQuiet(Engine engine, CitySimulation sim) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline
                && (sim.batchesAcked() + sim.batchesFailed() < sim.batchesSent()
                || engine.ingest().stats().queuedBatches() > 0)) {
            Thread.sleep(50);
        }
        Thread.sleep(1_000); // alerts in flight to the patrol's client
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
    private record Summary(long readsSent, long batchesAcked, long batchesFailed, IngestStats stats,
                           int hitsExpected, long hitsRaised, long alertsReceived, int expectedAlerted,
                           long duplicateAlerts, long p50, long p99, Engine engine) {
        boolean allHitsRaised() {
            return expectedAlerted == hitsExpected && hitsRaised == hitsExpected && duplicateAlerts == 0;
        }

        void print(PrintStream out) {
            out.println();
            out.println("Summary");
            out.printf("  reads sent            %,12d  (%,d batches acknowledged, %,d failed)%n", readsSent, batchesAcked, batchesFailed);
            out.printf("  reads matched         %,12d%n", stats.reads());
            out.printf("  sightings written     %,12d  (to PostgreSQL with COPY)%n", engine.sightingWriter().written());
            out.printf("  hits expected         %,12d%n", hitsExpected);
            out.printf("  hits raised           %,12d  (%,d stored)%n", hitsRaised, engine.alerts().stored());
            out.printf("  alerts to the patrol  %,12d  (%,d of the expected; %,d duplicates)%n", alertsReceived, expectedAlerted, duplicateAlerts);
            double recall = hitsExpected == 0 ? 1 : (double) expectedAlerted / hitsExpected;
            double precision = alertsReceived == 0 ? 1 : (double) expectedAlerted / alertsReceived;
            out.printf("  recall %.1f %%, precision %.1f %%, alert latency (reader publish -> patrol) p50 %d ms, p99 %d ms%n",
                    recall * 100, precision * 100, p50, p99);
            out.println(allHitsRaised() ? "  RESULT: every expected hit raised, once." : "  RESULT: HITS MISSED OR DUPLICATED");
        }
    }
}
