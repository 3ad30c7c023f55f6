package io.tagwatch.benchmarks;

import io.tagwatch.store.Database;
import io.tagwatch.store.StorageMaintenance;
import io.tagwatch.store.Trajectories;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A 30-day trajectory of one vehicle with 50 million sightings in the table, through the API's
 * own code path ({@link Trajectories#read}: the query over live sightings and evidence plus the
 * audit row, one transaction).
 *
 * <p>Data: 220,000 vehicles; {@code rows} sightings spread evenly over the {@code days} UTC days
 * before today (one declarative partition per day, made by {@link StorageMaintenance}), each
 * with a tag drawn uniformly from the vehicles, one of 400 readers, a uniform random time in its
 * day, 1–12 reads and rssi −40…−89; generated inside PostgreSQL ({@code INSERT ... SELECT
 * generate_series}, {@code setseed(0.42)}), each day's rows inserted in time order as the writer
 * stores them, with the indexes of the day being written in place (BRIN), then {@code VACUUM ANALYZE},
 * then each day's B-tree built by the engine's maintenance ({@link StorageMaintenance#runOnce}).
 * Each vehicle thus has ~6.5 sightings a day, ~195 in 30 days.
 *
 * <p>Queries go through a HikariCP pool of 4, as in the engine. {@code queries} distinct random vehicles, a 30-day window ending now, each
 * queried once (first touch, "cold-ish": the OS cache holds what the load left) and then again
 * (warm); latency per query in ms, p50/p95/p99/max.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.tagwatch.benchmarks.TrajectoryQuery DIR
 * [rows=50000000] [days=35] [queries=200] [todayRows=0]}. DIR keeps the database between runs (the load is
 * done once: a run finding the rows in place only queries). {@code todayRows} also fills today's partition,
 * the day being written, which has no B-tree (its vehicles are found through the bloom BRIN index): its
 * rows are generated the same way over the whole UTC day, so the query pays what it pays at the day's end.
 * {@code -DtodayBtree=true} gives today's partition a B-tree, for comparison.
 */
public final class TrajectoryQuery {
    private static final int VEHICLES = 220_000;
    private static final long TAG_BASE = 0x9F3A000000L;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long rows = args.length > 1 ? Long.parseLong(args[1]) : 50_000_000L;
        int days = args.length > 2 ? Integer.parseInt(args[2]) : 35;
        int queries = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        long todayRows = args.length > 4 ? Long.parseLong(args[4]) : 0;
        Files.createDirectories(dir);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false)
                .setServerConfig("shared_buffers", "512MB").setServerConfig("max_wal_size", "8GB")
                .setServerConfig("checkpoint_timeout", "30min").start()) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(pg.getJdbcUrl("postgres", "postgres"));
            ds.setUser("postgres");
            Database.migrate(ds);
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            long have = count(ds, "first_seen < '" + today + " 00:00+00'");
            if (have < rows / days * days) { // what a load of rows makes: whole rows per day
                load(ds, rows - have, days);
            }
            long haveToday = count(ds, "first_seen >= '" + today + " 00:00+00'");
            if (haveToday < todayRows) {
                new StorageMaintenance(ds, Duration.ofDays(3650), Duration.ofDays(3650), Duration.ofHours(1))
                        .ensureDays(today, today);
                try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                    st.execute("SELECT setseed(0.24)");
                    loadDay(c, today.atStartOfDay(ZoneOffset.UTC).toInstant(), todayRows - haveToday);
                    st.execute("VACUUM ANALYZE sightings");
                }
            }
            todayBtree(ds, today, Boolean.getBoolean("todayBtree"));
            System.out.printf("today's partition: %,d sightings%n", count(ds, "first_seen >= '" + today + " 00:00+00'"));
            System.out.printf("sightings in the table: %,d; on disk %s%n", count(ds, "true"), size(ds));
            // Pooled like the engine's Database (warm connections, their catalog caches and prepared statements).
            com.zaxxer.hikari.HikariConfig hc = new com.zaxxer.hikari.HikariConfig();
            hc.setDataSource(ds);
            hc.setMaximumPoolSize(4);
            com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(hc);
            Trajectories trajectories = new Trajectories(pool);
            long user = user(ds);
            SplittableRandom rnd = new SplittableRandom(7);
            long[] vehicleIds = new long[queries];
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT min(id) FROM vehicles")) {
                rs.next();
                long first = rs.getLong(1);
                for (int i = 0; i < queries; i++) {
                    vehicleIds[i] = first + rnd.nextInt(VEHICLES);
                }
            }
            Instant to = Instant.now();
            Instant from = to.minus(Duration.ofDays(30));
            if (System.getProperty("explain") != null) {
                explain(ds, vehicleIds[0], from, to);
            }
            for (String pass : new String[] {"first touch", "warm"}) {
                double[] ms = new double[queries];
                long points = 0;
                for (int i = 0; i < queries; i++) {
                    long t0 = System.nanoTime();
                    points += trajectories.read(vehicleIds[i], from, to, user, "benchmark").orElseThrow().points().size();
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                int slowest = 0;
                for (int i = 1; i < queries; i++) {
                    slowest = ms[i] > ms[slowest] ? i : slowest;
                }
                double firstQuery = ms[0];
                if (System.getProperty("explain") != null && pass.equals("warm")) {
                    explain(ds, vehicleIds[slowest], from, to); // where the slowest warm query's time goes
                }
                Arrays.sort(ms);
                System.out.printf("%-11s %d queries, %.0f sightings each on average: p50 %.2f ms, p95 %.2f ms, "
                                + "p99 %.2f ms, max %.2f ms (query #%d of the pass; the first took %.2f ms)%n", pass, queries,
                        points / (double) queries, ms[queries / 2], ms[(int) (queries * 0.95)], ms[(int) (queries * 0.99)],
                        ms[queries - 1], slowest + 1, firstQuery);
            }
        }
    }

    private static void load(PGSimpleDataSource ds, long rows, int days) throws Exception {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        StorageMaintenance maintenance = new StorageMaintenance(ds, Duration.ofDays(3650), Duration.ofDays(3650),
                Duration.ofHours(1));
        maintenance.ensureDays(today.minusDays(days), today);
        long perDay = rows / days;
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("SELECT setseed(0.42)");
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM vehicles")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    st.execute("INSERT INTO owners (name, phone) SELECT 'owner ' || i, '+86' || (13800000000 + i) "
                            + "FROM generate_series(1, " + VEHICLES + ") i");
                    st.execute("INSERT INTO vehicles (plate, tag, kind, owner_id) SELECT 'P-' || i, " + TAG_BASE
                            + " + i, 'ebike', (SELECT min(id) FROM owners) + i FROM generate_series(0, " + (VEHICLES - 1) + ") i");
                }
            }
            for (int d = days; d >= 1; d--) {
                loadDay(c, today.minusDays(d).atStartOfDay(ZoneOffset.UTC).toInstant(), perDay);
            }
            st.execute("VACUUM ANALYZE sightings");
        }
        // The loaded days are over: the engine's maintenance gives each its B-tree, as it does after midnight.
        long t0 = System.nanoTime();
        int built = maintenance.runOnce(Instant.now()).dayIndexesBuilt();
        System.out.printf("built %d day B-trees in %.1f s%n", built, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * For comparison ({@code -DtodayBtree=true}): today's partition indexed as a finished day is, with its
     * B-tree; otherwise (the engine's layout) without it, found through the bloom BRIN index.
     */
    private static void todayBtree(PGSimpleDataSource ds, LocalDate today, boolean wanted) throws Exception {
        String table = "sightings_" + today.toString().replace("-", "");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            long t0 = System.nanoTime();
            st.execute("SET maintenance_work_mem = '256MB'");
            st.execute(wanted ? "CREATE INDEX IF NOT EXISTS " + table + "_tag_time_idx ON " + table + " (tag, first_seen DESC)"
                    : "DROP INDEX IF EXISTS " + table + "_tag_time_idx");
            System.out.printf("today's partition %s: %s (%.1f s)%n", table, wanted ? "with its B-tree" : "bloom BRIN only",
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /** {@code perDay} sightings of the day starting at {@code dayStart}, inserted in time order. */
    private static void loadDay(Connection c, Instant dayStart, long perDay) throws Exception {
        long t0 = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sightings (tag, reader_id, first_seen, last_seen, "
                + "read_count, best_rssi) SELECT " + TAG_BASE + " + floor(random() * " + VEHICLES + ")::bigint, "
                + "'R-' || lpad(floor(random() * 400)::int::text, 4, '0'), t, t + random() * interval '3 seconds', "
                + "1 + floor(random() * 12)::int, (-40 - floor(random() * 50))::smallint "
                + "FROM (SELECT ?::timestamptz + random() * interval '86399 seconds' AS t "
                + "FROM generate_series(1, ?) ORDER BY 1) g")) {
            ps.setTimestamp(1, Timestamp.from(dayStart));
            ps.setLong(2, perDay);
            ps.executeUpdate();
        }
        System.out.printf("loaded %s: %,d rows in %.1f s%n", dayStart, perDay, (System.nanoTime() - t0) / 1e9);
    }

    /** The plan of the trajectory query for one vehicle ({@code -Dexplain}), to see where the time goes. */
    private static void explain(PGSimpleDataSource ds, long vehicleId, Instant from, Instant to) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) "
                + "SELECT reader_id, first_seen FROM (SELECT * FROM sightings WHERE tag = (SELECT tag FROM vehicles WHERE id = ?) "
                + "AND first_seen >= ? AND first_seen < ?) s ORDER BY first_seen LIMIT 10001")) {
            try (Statement set = c.createStatement()) {
                set.execute("SET max_parallel_workers_per_gather = 0"); // as Trajectories runs it
            }
            ps.setLong(1, vehicleId);
            ps.setTimestamp(2, Timestamp.from(from));
            ps.setTimestamp(3, Timestamp.from(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    System.out.println(rs.getString(1));
                }
            }
        }
    }

    private static long user(PGSimpleDataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO users (username, password_hash, role, district) VALUES ('bench', 'x', 'officer', 'n') "
                    + "ON CONFLICT (username) DO NOTHING");
            try (ResultSet rs = st.executeQuery("SELECT id FROM users WHERE username = 'bench'")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long count(PGSimpleDataSource ds, String where) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sightings WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String size(PGSimpleDataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) "
                     + "FROM pg_partition_tree('sightings') WHERE isleaf")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
