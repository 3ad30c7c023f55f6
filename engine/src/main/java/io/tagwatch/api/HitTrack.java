package io.tagwatch.api;

import io.tagwatch.read.TagIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A hit's track: the tag's last passes (up to {@value #PASSES}, within 24 hours) up to the hit,
 * oldest first, with each reader's position, so the console can draw where the vehicle came
 * from. The pass of the hit itself is the hit's own reader (its sighting is written when the
 * dedup window closes). Thread-safe.
 */
final class HitTrack {
    static final int PASSES = 10;

    private final DataSource db;

    HitTrack(DataSource db) {
        this.db = db;
    }

    List<Map<String, Object>> before(Map<String, Object> hit) {
        long tag = TagIds.parse((String) hit.get("tag"));
        Instant at = Instant.parse((String) hit.get("receivedAt"));
        String sql = "SELECT s.reader_id, r.name, r.lat, r.lon, s.first_seen, s.last_seen FROM sightings s "
                + "JOIN readers r ON r.id = s.reader_id WHERE s.tag = ? AND s.first_seen <= ? AND s.first_seen > ? "
                + "ORDER BY s.first_seen DESC LIMIT " + PASSES;
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, tag);
            ps.setTimestamp(2, Timestamp.from(at));
            ps.setTimestamp(3, Timestamp.from(at.minusSeconds(24 * 3600)));
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("reader", rs.getString(1));
                    p.put("readerName", rs.getString(2));
                    p.put("lat", rs.getDouble(3));
                    p.put("lon", rs.getDouble(4));
                    p.put("firstSeen", rs.getTimestamp(5).toInstant().toString());
                    p.put("lastSeen", rs.getTimestamp(6).toInstant().toString());
                    out.add(0, p);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the track of hit=" + hit.get("hitId"), e);
        }
    }
}
