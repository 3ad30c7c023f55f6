package io.tagwatch.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A vehicle's sightings over a period, read only with a reason on record: the query and its
 * audit row (who, when, which vehicle, why, the period, how many rows) are one transaction, so
 * no trajectory leaves the database unaudited. Reads the live sightings and the kept evidence.
 *
 * <p>Thread-safe (stateless over a pooled data source).
 */
public final class Trajectories {
    /** The most rows one query returns; the answer says when it was cut. */
    public static final int MAX_ROWS = 10_000;
    static final String ACTION = "trajectory";

    /** One sighting of the trajectory; {@code bestRssi} null when the reader sent none. */
    public record Point(String readerId, Instant firstSeen, Instant lastSeen, int readCount, Integer bestRssi) {
    }

    /** A trajectory and whether it was cut at {@link #MAX_ROWS}. */
    public record Trajectory(long vehicleId, long tag, List<Point> points, boolean truncated) {
    }

    /** One audit row as the vehicle's owner sees it. */
    public record Access(Instant at, String username, String role, String reason, Instant from, Instant to,
                         int rowsReturned) {
    }

    private final DataSource db;

    public Trajectories(DataSource db) {
        this.db = db;
    }

    /** The sightings of {@code vehicleId} that started in [from, to), audited; empty when there is no such vehicle. */
    public Optional<Trajectory> read(long vehicleId, Instant from, Instant to, long userId, String reason) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                Long tag = tagOf(c, vehicleId);
                if (tag == null) {
                    c.rollback();
                    return Optional.empty();
                }
                List<Point> points = new ArrayList<>();
                // Planned for each query with its own values, so PostgreSQL prunes to the vehicle's tag-hash table of
                // each day before opening anything (~31 of 577 tables): 2.3 ms warm, 15-18 ms on a connection's first
                // query. A generic plan covers all 577 tables: 0.2 ms while cached, but 200-290 ms to build on each
                // connection and again whenever a table's statistics change (all day for the day being written).
                // (PostgreSQL 17.6, EXPLAIN (ANALYZE, SUMMARY), benchmarks/RESULTS.md, sessions 4 and 5.)
                // A vehicle's month is a few hundred rows: parallel workers only add their start-up (a Gather of
                // 11 ms of scans took 194 ms to start its two workers here, EXPLAIN ANALYZE, session 4).
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL max_parallel_workers_per_gather = 0");
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT reader_id, first_seen, last_seen, read_count, best_rssi "
                        + "FROM (SELECT * FROM sightings WHERE tag = ? AND first_seen >= ? AND first_seen < ? "
                        + "UNION ALL SELECT * FROM sighting_evidence WHERE tag = ? AND first_seen >= ? AND first_seen < ?) s "
                        + "ORDER BY first_seen LIMIT ?")) {
                    for (int i = 0; i < 2; i++) {
                        ps.setLong(1 + 3 * i, tag);
                        ps.setTimestamp(2 + 3 * i, Timestamp.from(from));
                        ps.setTimestamp(3 + 3 * i, Timestamp.from(to));
                    }
                    ps.setInt(7, MAX_ROWS + 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            int rssi = rs.getShort(5);
                            Integer bestRssi = rs.wasNull() ? null : rssi;
                            points.add(new Point(rs.getString(1), rs.getTimestamp(2).toInstant(),
                                    rs.getTimestamp(3).toInstant(), rs.getInt(4), bestRssi));
                        }
                    }
                }
                boolean truncated = points.size() > MAX_ROWS;
                if (truncated) {
                    points.remove(points.size() - 1);
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (user_id, action, vehicle_id, reason, "
                        + "rows_returned, range_from, range_to) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setLong(1, userId);
                    ps.setString(2, ACTION);
                    ps.setLong(3, vehicleId);
                    ps.setString(4, reason);
                    ps.setInt(5, points.size());
                    ps.setTimestamp(6, Timestamp.from(from));
                    ps.setTimestamp(7, Timestamp.from(to));
                    ps.executeUpdate();
                }
                c.commit();
                return Optional.of(new Trajectory(vehicleId, tag, points, truncated));
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static Long tagOf(Connection c, long vehicleId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT tag FROM vehicles WHERE id = ?")) {
            ps.setLong(1, vehicleId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** Who read the trajectory of {@code vehicleId}, newest first (at most 1,000 rows). */
    public List<Access> accessLog(long vehicleId) throws SQLException {
        List<Access> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT a.at, u.username, u.role, a.reason, a.range_from, a.range_to, a.rows_returned FROM audit_log a "
                        + "LEFT JOIN users u ON u.id = a.user_id WHERE a.vehicle_id = ? AND a.action = ? "
                        + "ORDER BY a.at DESC, a.id DESC LIMIT 1000")) {
            ps.setLong(1, vehicleId);
            ps.setString(2, ACTION);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Access(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant(), rs.getInt(7)));
                }
            }
        }
        return out;
    }
}
