package io.tagwatch.benchmarks;

import io.tagwatch.store.Database;
import io.tagwatch.store.Sighting;
import io.tagwatch.store.ReaderTraffic;
import io.tagwatch.store.SightingCopy;
import io.tagwatch.store.SightingRows;
import io.tagwatch.store.StorageMaintenance;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Sighting write throughput on an embedded PostgreSQL 17, four ways in one run, rounds
 * interleaved so the shared machine's noise falls on all of them alike:
 * <ul>
 *   <li>{@code binaryCopy}: the engine's {@link SightingCopy} ({@code COPY ... (FORMAT binary)});</li>
 *   <li>{@code writerTransaction}: what the engine's writer commits, the binary COPY plus the
 *       readers' traffic counts ({@link ReaderTraffic#add});</li>
 *   <li>{@code textCopy}: the same rows as {@code COPY} text (what the writer did before);</li>
 *   <li>{@code insertRewritten}: {@code INSERT} batches with {@code reWriteBatchedInserts=true};</li>
 *   <li>{@code insertBatch}: plain JDBC {@code addBatch}/{@code executeBatch} (the baseline).</li>
 * </ul>
 * Every transaction carries {@code txRows} rows (default 5,000, the writer's batch when sightings trickle in;
 * a loaded node's checkpoints make transactions of hundreds of thousands), the data is
 * a city's traffic: tags drawn from 220,000 vehicles, 400 readers, first-seen times spread as a city
 * of 20 million sightings a day produces them (see {@link #cityDay}), in time order (as the writer
 * receives them), into today's day partition made by {@link StorageMaintenance}. The tables are emptied (TRUNCATE) before each measured round. Finally the bytes per
 * row on disk (heap + indexes of every sightings partition) after one more binary load.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.tagwatch.benchmarks.SightingWriteLoad [rows] [rounds] [txRows]}
 * (defaults 500,000 rows, 3 rounds, 5,000 rows a transaction).
 */
public final class SightingWriteLoad {
    /** The rate of a city of ~220,000 two-wheelers (docs/operations.md, "Disk a city needs"). */
    static final long CITY_SIGHTINGS_PER_DAY = 20_000_000L;

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int txRows = args.length > 2 ? Integer.parseInt(args[2]) : 5_000;
        List<Sighting> data = cityDay(rows, 42);
        try (EmbeddedPostgres pg = Database.durable(EmbeddedPostgres.builder()).start()) { // as the engine runs it
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(pg.getJdbcUrl("postgres", "postgres"));
            ds.setUser("postgres");
            Database.migrate(ds);
            // The engine's storage: today's day partition exists before the first write.
            try (StorageMaintenance maintenance = new StorageMaintenance(ds, Duration.ofDays(30), Duration.ofDays(365),
                    Duration.ofHours(1))) {
                maintenance.runOnce(Instant.now());
            }
            Map<String, Method> methods = new LinkedHashMap<>();
            SightingCopy binary = new SightingCopy();
            // The writer's rows are columns (SightingRows); filling them is ~10 ns a row, under 0.5 % of a COPY's cost.
            methods.put("binaryCopy", (c, tx) -> binary.copy(c, List.of(SightingRows.of(tx))));
            methods.put("writerTransaction", (c, tx) -> {
                List<SightingRows> columns = List.of(SightingRows.of(tx));
                binary.copy(c, columns);
                ReaderTraffic.add(c, columns);
            });
            methods.put("textCopy", SightingWriteLoad::textCopy);
            methods.put("insertRewritten", SightingWriteLoad::insert);
            methods.put("insertBatch", SightingWriteLoad::insert);
            Map<String, double[]> rates = new LinkedHashMap<>();
            methods.keySet().forEach(k -> rates.put(k, new double[rounds]));
            load(ds, "binaryCopy", methods.get("binaryCopy"), data.subList(0, Math.min(rows, 50_000)), txRows); // warm-up
            for (int r = 0; r < rounds; r++) {
                for (Map.Entry<String, Method> m : methods.entrySet()) {
                    double perSecond = load(ds, m.getKey(), m.getValue(), data, txRows);
                    rates.get(m.getKey())[r] = perSecond;
                    System.out.printf("round %d %-16s %,12.0f rows/s%n", r + 1, m.getKey(), perSecond);
                }
            }
            System.out.println();
            double baseline = median(rates.get("insertBatch"));
            for (Map.Entry<String, double[]> e : rates.entrySet()) {
                double med = median(e.getValue());
                System.out.printf("%-16s median %,12.0f rows/s  (%.1f x insertBatch)  rounds %s%n", e.getKey(), med,
                        med / baseline, Arrays.toString(Arrays.stream(e.getValue()).mapToLong(Math::round).toArray()));
            }
            load(ds, "binaryCopy", methods.get("binaryCopy"), data, txRows);
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("VACUUM ANALYZE sightings");
                try (ResultSet rs = st.executeQuery("SELECT sum(pg_relation_size(relid)), "
                        + "sum(pg_indexes_size(relid)), sum(pg_total_relation_size(relid)) "
                        + "FROM pg_partition_tree('sightings') WHERE isleaf")) {
                    rs.next();
                    System.out.printf("%nbytes per row on disk: heap %.1f, indexes %.1f, total %.1f (%,d rows)%n",
                            rs.getLong(1) / (double) rows, rs.getLong(2) / (double) rows, rs.getLong(3) / (double) rows, rows);
                }
            }
        }
    }

    @FunctionalInterface
    interface Method {
        void write(Connection c, List<Sighting> tx) throws SQLException;
    }

    private static double load(PGSimpleDataSource base, String name, Method method, List<Sighting> data, int txRows)
            throws SQLException {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(base.getUrl());
        ds.setUser("postgres");
        ds.setReWriteBatchedInserts(name.equals("insertRewritten"));
        try (Connection c = ds.getConnection()) {
            try (Statement st = c.createStatement()) {
                st.execute("TRUNCATE sightings, reader_traffic");
                st.execute("CHECKPOINT");
            }
            c.setAutoCommit(false);
            long started = System.nanoTime();
            for (int from = 0; from < data.size(); from += txRows) {
                method.write(c, data.subList(from, Math.min(data.size(), from + txRows)));
                c.commit();
            }
            return data.size() / ((System.nanoTime() - started) / 1e9);
        }
    }

    /** The writer's former text COPY, as it was. */
    private static void textCopy(Connection c, List<Sighting> tx) throws SQLException {
        StringBuilder sb = new StringBuilder(tx.size() * 80);
        for (Sighting s : tx) {
            sb.append(s.tag()).append('\t').append(s.readerId()).append('\t')
                    .append(Instant.ofEpochMilli(s.firstSeen())).append('\t')
                    .append(Instant.ofEpochMilli(s.lastSeen())).append('\t')
                    .append(s.readCount()).append('\t');
            if (s.bestRssi() == Integer.MIN_VALUE) {
                sb.append("\\N");
            } else {
                sb.append(s.bestRssi());
            }
            sb.append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                "COPY sightings (tag, reader_id, first_seen, last_seen, read_count, best_rssi) FROM STDIN");
        in.writeToCopy(bytes, 0, bytes.length);
        in.endCopy();
    }

    private static void insert(Connection c, List<Sighting> tx) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sightings "
                + "(tag, reader_id, first_seen, last_seen, read_count, best_rssi) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (Sighting s : tx) {
                ps.setLong(1, s.tag());
                ps.setString(2, s.readerId());
                ps.setTimestamp(3, new Timestamp(s.firstSeen()));
                ps.setTimestamp(4, new Timestamp(s.lastSeen()));
                ps.setInt(5, s.readCount());
                if (s.bestRssi() == Integer.MIN_VALUE) {
                    ps.setNull(6, Types.SMALLINT);
                } else {
                    ps.setShort(6, (short) s.bestRssi());
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** One day of a city's sightings, deterministic for a seed; times within today (UTC). */
    /**
     * {@code rows} sightings as a city of {@value #CITY_SIGHTINGS_PER_DAY} sightings a day writes them
     * (500,000 rows: 36 minutes of its traffic from the start of today, UTC), in time order.
     */
    static List<Sighting> cityDay(int rows, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long day = System.currentTimeMillis() / 86_400_000L * 86_400_000L;
        long span = Math.max(60_000L, rows * 86_400_000L / CITY_SIGHTINGS_PER_DAY);
        List<Sighting> out = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            long first = day + rnd.nextLong(span);
            out.add(new Sighting(0x9F3A000000L + rnd.nextInt(220_000), String.format("R-%04d", rnd.nextInt(400)),
                    first, first + rnd.nextInt(3_000), 1 + rnd.nextInt(12), -40 - rnd.nextInt(50)));
        }
        // In time order, as the writer receives them (a sighting is handed over when its window closes).
        out.sort(java.util.Comparator.comparingLong(Sighting::firstSeen));
        return out;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
