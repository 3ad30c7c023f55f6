package io.tagwatch.benchmarks;

import io.tagwatch.Engine;
import io.tagwatch.config.EngineConfig;
import io.tagwatch.sim.Burst;
import io.tagwatch.sim.CityGrid;
import io.tagwatch.sim.Fleet;
import io.tagwatch.sim.Pass;
import io.tagwatch.sim.Theft;
import io.tagwatch.sim.TrafficListener;
import io.tagwatch.sim.TrafficModel;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Figures for the capacity guide (docs/operations.md) that the load benchmark does not give:
 * the engine's heap per 100,000 registered vehicles (in-process engine, heap after GC before
 * and after importing a fleet and rebuilding the lists) and the disk one stored sighting takes
 * (table and its indexes, after inserting a million sightings of a realistic shape), and a
 * simulated day of the city ({@code sim.TrafficModel}): sightings and reads a day, busiest hour.
 *
 * <p>Run: {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar io.tagwatch.benchmarks.CapacityProbe [vehicles=220000]}.
 */
public final class CapacityProbe {
    public static void main(String[] args) throws Exception {
        int vehicles = args.length > 0 ? Integer.parseInt(args[0]) : 220_000;
        cityDay(vehicles);
        Path dir = Files.createTempDirectory("tagwatch-capacity");
        EngineConfig config = EngineConfig.builder().bindHost("127.0.0.1").mqttPort(0).httpPort(0).tlsPort(0)
                .dataDir(dir).adminPassword("capacity-admin-pw").build();
        try (Engine engine = Engine.start(config)) {
            engine.hotLists().requestRebuild().get();
            long before = heapAfterGc();
            engine.registry().importVehicles(new Fleet(vehicles, 1).rows());
            engine.hotLists().requestRebuild().get();
            long after = heapAfterGc();
            System.out.printf("heap after GC: %.1f MiB with no vehicles, %.1f MiB with %,d: %.1f MiB per 100,000 vehicles%n",
                    before / 1048576.0, after / 1048576.0, vehicles, (after - before) / 1048576.0 / vehicles * 100_000);
            try (Connection c = engine.dataSource().getConnection(); Statement st = c.createStatement()) {
                int rows = 1_000_000;
                // a day of a city: 220,000 tags at 400 readers, spread over 24 h, bursts of 3-6 reads
                st.execute("INSERT INTO sightings (tag, reader_id, first_seen, last_seen, read_count, best_rssi) "
                        + "SELECT 683872878592 + (random() * 220000)::bigint, " // 0x9F3A000000, the fleet's first tag
                        + "'R0' || lpad((random() * 19)::int::text, 2, '0') || '-0' || lpad((random() * 19)::int::text, 2, '0'), "
                        + "t, t + interval '1.5 seconds', 3 + (random() * 3)::int, -45 - (random() * 15)::int "
                        + "FROM (SELECT now() - random() * interval '24 hours' AS t FROM generate_series(1, " + rows + ")) s");
                st.execute("VACUUM ANALYZE sightings");
                try (ResultSet rs = st.executeQuery("SELECT sum(pg_total_relation_size(relid)) "
                        + "FROM pg_partition_tree('sightings') WHERE isleaf")) {
                    rs.next();
                    long bytes = rs.getLong(1);
                    System.out.printf("sightings: %,d rows take %.1f MiB with their indexes: %.0f bytes per sighting%n",
                            rows, bytes / 1048576.0, bytes / (double) rows);
                }
            }
        } finally {
            EngineUnderTest.deleteTree(dir);
        }
    }

    /** A day of the simulated city (400 readers): passes (= sightings) and reads, and the busiest hour. */
    private static void cityDay(int vehicles) {
        CityGrid grid = new CityGrid(400);
        Fleet fleet = new Fleet(vehicles, 1);
        TrafficModel model = new TrafficModel(grid, fleet, 1, 0, 0, 0);
        long[] passes = new long[24];
        long[] reads = new long[24];
        TrafficListener count = new TrafficListener() {
            @Override
            public void pass(Pass p) {
                int hour = (int) (p.time() / 3_600_000L) % 24;
                passes[hour]++;
                reads[hour] += Burst.of(p, 1).size();
            }

            @Override
            public void theftReported(Theft theft) {
            }
        };
        for (long t = 0; t <= 24 * 3_600_000L; t += 60_000) {
            model.advance(t, count);
        }
        long dayPasses = java.util.Arrays.stream(passes).sum();
        long dayReads = java.util.Arrays.stream(reads).sum();
        long peak = java.util.Arrays.stream(reads).max().orElse(0);
        System.out.printf("a simulated day of %,d vehicles at 400 readers: %,d passes (sightings), %,d reads; "
                + "busiest hour %,d reads = %.0f reads/s on average%n", vehicles, dayPasses, dayReads, peak, peak / 3600.0);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(300);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
