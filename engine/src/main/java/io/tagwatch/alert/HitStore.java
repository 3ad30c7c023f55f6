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
                             + "reader_id, district, reader_time, received_at, rssi) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                             + "ON CONFLICT (id) DO NOTHING")) {
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

    /** Newest hits first, as API rows. */
    List<Map<String, Object>> recent(int limit) throws SQLException {
        String sql = "SELECT h.id, h.list_kind, h.list_version, h.rule, h.tag, h.vehicle_id, v.plate, v.kind, "
                + "v.brand, v.color, h.reader_id, r.name, r.lat, r.lon, h.district, h.reader_time, h.received_at, "
                + "h.rssi, h.status, h.theft_report_id FROM hits h "
                + "LEFT JOIN vehicles v ON v.id = h.vehicle_id JOIN readers r ON r.id = h.reader_id "
                + "ORDER BY h.received_at DESC, h.id LIMIT ?";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> out = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("hitId", rs.getObject(1).toString());
                    row.put("list", rs.getString(2));
                    row.put("listVersion", rs.getLong(3));
                    row.put("rule", rs.getString(4));
                    row.put("tag", TagIds.format(rs.getLong(5)));
                    long vehicleId = rs.getLong(6);
                    row.put("vehicleId", rs.wasNull() ? null : vehicleId);
                    row.put("plate", rs.getString(7));
                    row.put("kind", rs.getString(8));
                    row.put("brand", rs.getString(9));
                    row.put("color", rs.getString(10));
                    row.put("readerId", rs.getString(11));
                    row.put("readerName", rs.getString(12));
                    row.put("lat", rs.getDouble(13));
                    row.put("lon", rs.getDouble(14));
                    row.put("district", rs.getString(15));
                    row.put("readerTime", rs.getTimestamp(16).toInstant().toString());
                    row.put("receivedAt", rs.getTimestamp(17).toInstant().toString());
                    short rssi = rs.getShort(18);
                    row.put("rssi", rs.wasNull() ? null : (int) rssi);
                    row.put("status", rs.getString(19));
                    long theftId = rs.getLong(20);
                    row.put("theftReportId", rs.wasNull() ? null : theftId);
                    out.add(row);
                }
                return out;
            }
        }
    }
}
