package io.tagwatch.alert;

import io.tagwatch.read.TagIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** The {@code hits} table. Thread-safe; blocks on the database. */
final class HitStore {
    private final DataSource db;

    HitStore(DataSource db) {
        this.db = db;
    }

    /** Stores hits in one transaction (a batch, not a round trip per hit); known ids are skipped. */
    void insert(java.util.List<Hit> hits) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO hits (id, list_kind, list_version, rule, tag, vehicle_id, theft_report_id, "
                             + "reader_id, district, reader_time, received_at, rssi, watchlist_id, note) "
                             + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING")) {
                for (Hit h : hits) {
                    ps.setObject(1, h.id());
                    ps.setString(2, h.listKind());
                    ps.setLong(3, h.listVersion());
                    ps.setString(4, h.rule());
                    ps.setLong(5, h.tag());
                    setIdOrNull(ps, 6, h.vehicleId());
                    setIdOrNull(ps, 7, h.theftReportId());
                    ps.setString(8, h.readerId());
                    ps.setString(9, h.district());
                    ps.setTimestamp(10, Timestamp.from(Instant.ofEpochMilli(h.readerTime())));
                    ps.setTimestamp(11, Timestamp.from(Instant.ofEpochMilli(h.receivedAt())));
                    if (h.rssi() == Integer.MIN_VALUE) {
                        ps.setNull(12, Types.SMALLINT);
                    } else {
                        ps.setShort(12, (short) h.rssi());
                    }
                    setIdOrNull(ps, 13, h.watchlistId());
                    ps.setString(14, h.note());
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void setIdOrNull(PreparedStatement ps, int i, long id) throws SQLException {
        if (id <= 0) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, id);
        }
    }

    private static final String SELECT = "SELECT h.id, h.list_kind, h.list_version, h.rule, h.tag, h.vehicle_id, v.plate, "
            + "v.kind, v.brand, v.color, h.reader_id, r.name, r.lat, r.lon, h.district, h.reader_time, h.received_at, "
            + "h.rssi, h.status, h.theft_report_id, ack.username, h.acknowledged_at, h.resolution, res.username, "
            + "h.resolved_at, h.watchlist_id, h.note FROM hits h LEFT JOIN vehicles v ON v.id = h.vehicle_id JOIN readers r ON r.id = h.reader_id "
            + "LEFT JOIN users ack ON ack.id = h.acknowledged_by LEFT JOIN users res ON res.id = h.resolved_by";

    /** Newest hits first, as API rows; null filters match everything. */
    List<Map<String, Object>> recent(int limit, int offset, String status, String district, String list) throws SQLException {
        String sql = SELECT + " WHERE (?::text IS NULL OR h.status = ?) AND (?::text IS NULL OR h.district = ?) "
                + "AND (?::text IS NULL OR h.list_kind = ?) ORDER BY h.received_at DESC, h.id LIMIT ? OFFSET ?";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, status);
            ps.setString(2, status);
            ps.setString(3, district);
            ps.setString(4, district);
            ps.setString(5, list);
            ps.setString(6, list);
            ps.setInt(7, limit);
            ps.setInt(8, offset);
            return rows(ps);
        }
    }

    /** One hit as an API row, or empty. */
    java.util.Optional<Map<String, Object>> byId(java.util.UUID id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT + " WHERE h.id = ?")) {
            ps.setObject(1, id);
            List<Map<String, Object>> r = rows(ps);
            return r.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(r.get(0));
        }
    }

    /** The stored hit as the record its alert was made from (a reminder publishes that alert again). */
    java.util.Optional<Hit> hit(java.util.UUID id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT + " WHERE h.id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? java.util.Optional.of(hitOf(rs)) : java.util.Optional.empty();
            }
        }
    }

    /** new → acknowledged; false when the hit is not new (the caller tells 404 from 409). */
    boolean acknowledge(java.util.UUID id, long userId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE hits SET status = 'acknowledged', acknowledged_by = ?, acknowledged_at = now() "
                        + "WHERE id = ? AND status = 'new'")) {
            ps.setLong(1, userId);
            ps.setObject(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** new or acknowledged → resolved; false when already resolved (or absent). */
    boolean resolve(java.util.UUID id, long userId, String resolution) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE hits SET status = 'resolved', resolution = ?, resolved_by = ?, resolved_at = now(), "
                        + "acknowledged_by = COALESCE(acknowledged_by, ?), acknowledged_at = COALESCE(acknowledged_at, now()) "
                        + "WHERE id = ? AND status IN ('new', 'acknowledged')")) {
            ps.setString(1, resolution);
            ps.setLong(2, userId);
            ps.setLong(3, userId);
            ps.setObject(4, id);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * The hit in the current row of a {@link #SELECT}: the one place that reads its columns. Hits are
     * stored from {@link Hit}s (times in whole ms), so the record comes back as it was raised; an id
     * the row lacks (SQL NULL) is 0, as in the record.
     */
    private static Hit hitOf(ResultSet rs) throws SQLException {
        short rssi = rs.getShort(18);
        int bestRssi = rs.wasNull() ? Integer.MIN_VALUE : rssi;
        return new Hit((java.util.UUID) rs.getObject(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                rs.getLong(5), rs.getLong(6), rs.getLong(20), rs.getString(7), rs.getString(8), rs.getString(9),
                rs.getString(10), rs.getString(11), rs.getString(12), rs.getDouble(13), rs.getDouble(14),
                rs.getString(15), rs.getTimestamp(16).getTime(), rs.getTimestamp(17).getTime(), bestRssi,
                rs.getLong(26), rs.getString(27));
    }

    /** The API's row of a hit: the hit's fields, flat, with where an officer has taken it. */
    private static List<Map<String, Object>> rows(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<Map<String, Object>> out = new ArrayList<>();
            while (rs.next()) {
                Hit h = hitOf(rs);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("hitId", h.id().toString());
                row.put("list", h.listKind());
                row.put("listVersion", h.listVersion());
                row.put("rule", h.rule());
                row.put("tag", TagIds.format(h.tag()));
                row.put("vehicleId", idOrNull(h.vehicleId()));
                row.put("plate", h.plate());
                row.put("kind", h.vehicleKind());
                row.put("brand", h.brand());
                row.put("color", h.color());
                row.put("readerId", h.readerId());
                row.put("readerName", h.readerName());
                row.put("lat", h.lat());
                row.put("lon", h.lon());
                row.put("district", h.district());
                row.put("readerTime", Instant.ofEpochMilli(h.readerTime()).toString());
                row.put("receivedAt", Instant.ofEpochMilli(h.receivedAt()).toString());
                row.put("rssi", h.rssi() == Integer.MIN_VALUE ? null : h.rssi());
                row.put("status", rs.getString(19));
                row.put("theftReportId", idOrNull(h.theftReportId()));
                row.put("acknowledgedBy", rs.getString(21));
                row.put("acknowledgedAt", rs.getTimestamp(22) == null ? null : rs.getTimestamp(22).toInstant().toString());
                row.put("resolution", rs.getString(23));
                row.put("resolvedBy", rs.getString(24));
                row.put("resolvedAt", rs.getTimestamp(25) == null ? null : rs.getTimestamp(25).toInstant().toString());
                row.put("watchlistId", idOrNull(h.watchlistId()));
                row.put("note", h.note());
                out.add(row);
            }
            return out;
        }
    }

    /** An id, or null where the hit has none (0). */
    private static Long idOrNull(long id) {
        return id > 0 ? id : null;
    }
}
