package io.tagwatch.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * A reader's traffic over time: {@code reader_traffic} holds, per reader and hour (UTC), the
 * sightings that started in that hour and their reads. The {@link SightingWriter} adds each
 * transaction's counts in that same transaction ({@link #add}), so the table agrees with the
 * committed sightings exactly, replays included. This replaces a per-row index on the
 * sightings by reader (see migration V8_1): a reader has at most 24 rows a day, and a
 * transaction adds at most one row per reader and hour it spans (at a city's rate, a 5,000-row
 * transaction spans seconds: about one row per active reader).
 *
 * <p>Two nodes may add to the same reader and hour at once; rows are upserted in key order,
 * so they wait for each other instead of deadlocking.
 */
public final class ReaderTraffic {
    /** Kept this long (counts only, no vehicle in them), then removed by storage maintenance. */
    public static final java.time.Duration KEPT = java.time.Duration.ofDays(400);
    private static final String UPSERT = "INSERT INTO reader_traffic (reader_id, hour, sightings, reads) "
            + "SELECT r, to_timestamp(h * 3600), s, n FROM unnest(?::text[], ?::bigint[], ?::int[], ?::bigint[]) AS t(r, h, s, n) "
            + "ON CONFLICT (reader_id, hour) DO UPDATE SET sightings = reader_traffic.sightings + EXCLUDED.sightings, "
            + "reads = reader_traffic.reads + EXCLUDED.reads";

    /** One bucket of a reader's traffic. */
    public record Bucket(Instant at, long sightings, long reads) {
    }

    private final DataSource db;

    public ReaderTraffic(DataSource db) {
        this.db = db;
    }

    /** Adds the counts of {@code batches} inside the connection's current transaction; returns the rows upserted. */
    public static int add(Connection c, List<SightingRows> batches) throws SQLException {
        TrafficTally tally = new TrafficTally(batches);
        tally.countAll();
        return add(c, tally);
    }

    /** Adds the counts of {@code tally} (as far as it has counted) inside the connection's current transaction; returns the rows upserted. */
    static int add(Connection c, TrafficTally tally) throws SQLException {
        TreeMap<TrafficTally.Key, long[]> counts = tally.counts(); // upserted in key order
        if (counts.isEmpty()) {
            return 0;
        }
        int size = counts.size();
        String[] readers = new String[size];
        Long[] hours = new Long[size];
        Integer[] sightings = new Integer[size];
        Long[] reads = new Long[size];
        int i = 0;
        for (Map.Entry<TrafficTally.Key, long[]> e : counts.entrySet()) {
            readers[i] = e.getKey().reader();
            hours[i] = e.getKey().hour();
            sightings[i] = (int) e.getValue()[0];
            reads[i] = e.getValue()[1];
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            ps.setArray(1, c.createArrayOf("text", readers));
            ps.setArray(2, c.createArrayOf("bigint", hours));
            ps.setArray(3, c.createArrayOf("integer", sightings));
            ps.setArray(4, c.createArrayOf("bigint", reads));
            ps.executeUpdate();
        }
        return size;
    }

    /**
     * The traffic of {@code reader} in the hours that start in [{@code from}, {@code to}), summed
     * per bucket of {@code bucketHours} (1 or 24: hour, UTC day), oldest first; buckets without
     * traffic are left out.
     */
    public List<Bucket> read(String reader, Instant from, Instant to, int bucketHours) {
        String sql = "SELECT to_timestamp(floor(extract(epoch FROM hour) / ?) * ?) AS at, sum(sightings), sum(reads) "
                + "FROM reader_traffic WHERE reader_id = ? AND hour >= ? AND hour < ? GROUP BY 1 ORDER BY 1";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, bucketHours * 3600L);
            ps.setLong(2, bucketHours * 3600L);
            ps.setString(3, reader);
            ps.setTimestamp(4, Timestamp.from(from));
            ps.setTimestamp(5, Timestamp.from(to));
            List<Bucket> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Bucket(rs.getTimestamp(1).toInstant(), rs.getLong(2), rs.getLong(3)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the traffic of reader=" + reader + ": " + e.getMessage(), e);
        }
    }

    /** Removes counts older than {@code cutoff}; returns the rows removed. */
    static long purgeBefore(Connection c, Instant cutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM reader_traffic WHERE hour < ?")) {
            ps.setTimestamp(1, Timestamp.from(cutoff));
            return ps.executeUpdate();
        }
    }
}
