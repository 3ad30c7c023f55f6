package io.tagwatch.alert;

import io.tagwatch.registry.OpenTheft;
import io.tagwatch.registry.ReaderDirectory;
import io.tagwatch.registry.ReaderInfo;
import io.tagwatch.registry.Vehicle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retro-hit of a theft report: where the vehicle was last seen in the past 24 hours (from
 * the stored sightings), its last few sightings, and the readers vehicles most often pass next
 * after that reader (learned from the vehicles that passed it in the hour before) as its likely next
 * positions. Raised at once as a hit of rule {@code last-seen} to the last reader's district.
 *
 * <p>Thread-safe; blocks on the database (call it from an API worker).
 */
public final class RetroHits {
    private static final Logger log = LoggerFactory.getLogger(RetroHits.class);
    static final int TRACK = 5;
    static final int LIKELY_NEXT = 3;
    /** Vehicles that passed the reader this long before the stolen one teach where traffic goes next. */
    static final long LEARN_FROM_MS = 3_600_000L;
    /** A next reader counts when passed within this time. */
    static final long NEXT_WITHIN_MS = 1_800_000L;

    private final DataSource db;
    private final ReaderDirectory readers;
    private final Alerts alerts;

    public RetroHits(DataSource db, ReaderDirectory readers, Alerts alerts) {
        this.db = db;
        this.readers = readers;
        this.alerts = alerts;
    }

    /** Raises the last-seen hit of a new theft; empty when the vehicle was not seen in 24 h. */
    public Optional<Map<String, Object>> lastSeen(OpenTheft theft, long listVersion) {
        Vehicle v = theft.vehicle();
        List<Map<String, Object>> track = new ArrayList<>();
        long lastFirst = 0;
        long lastLast = 0;
        String lastReader = null;
        int lastRssi = Integer.MIN_VALUE;
        try (Connection c = db.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT reader_id, first_seen, last_seen, best_rssi FROM sightings WHERE tag = ? "
                            + "AND first_seen > now() - interval '24 hours' ORDER BY last_seen DESC LIMIT ?")) {
                ps.setLong(1, v.tag());
                ps.setInt(2, TRACK);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (lastReader == null) {
                            lastReader = rs.getString(1);
                            lastFirst = rs.getTimestamp(2).getTime();
                            lastLast = rs.getTimestamp(3).getTime();
                            short rssi = rs.getShort(4);
                            lastRssi = rs.wasNull() ? Integer.MIN_VALUE : rssi;
                        }
                        Map<String, Object> p = new LinkedHashMap<>();
                        p.put("reader", rs.getString(1));
                        p.put("time", rs.getTimestamp(3).toInstant().toString());
                        track.add(p);
                    }
                }
            }
            if (lastReader == null) {
                return Optional.empty();
            }
            List<Map<String, Object>> next = likelyNext(c, lastReader, lastFirst);
            ReaderInfo r = readers.byId(lastReader);
            if (r == null) {
                return Optional.empty(); // a reader since retired: nowhere to send the patrol
            }
            Hit hit = new Hit(id(v.tag(), lastReader, lastFirst), "stolen", listVersion, "last-seen", v.tag(), v.id(),
                    theft.theftReportId(), v.plate(), v.kind(), v.brand(), v.color(), r.id(), r.name(), r.lat(), r.lon(),
                    r.district(), lastLast, System.currentTimeMillis(), lastRssi, 0, null);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("track", track);
            extra.put("likelyNext", next);
            alerts.raise(hit, extra);
            log.info("last-seen alert for theft report={} tag={} at reader={}", theft.theftReportId(), v.tag(), lastReader);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("reader", lastReader);
            out.put("lastSeen", new java.sql.Timestamp(lastLast).toInstant().toString());
            out.put("track", track);
            out.put("likelyNext", next);
            return Optional.of(out);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot build the last-seen alert of tag=" + v.tag(), e);
        }
    }

    /**
     * The readers most often passed next (within 30 minutes) after {@code reader} by the vehicles
     * that passed it in the hour before {@code at} (when the stolen vehicle was last seen there):
     * the traffic flows of that place at that time of day. Read through the BRIN index on
     * {@code first_seen}, so its cost is bounded by the city's traffic in those 90 minutes.
     */
    private static List<Map<String, Object>> likelyNext(Connection c, String reader, long at) throws SQLException {
        String sql = "SELECT next_reader, count(*) AS passes FROM ("
                + " SELECT s.reader_id, s.first_seen, LEAD(s.reader_id) OVER w AS next_reader,"
                + " LEAD(s.first_seen) OVER w AS next_seen FROM sightings s"
                + " WHERE s.first_seen >= ? AND s.first_seen < ? AND s.tag IN (SELECT tag FROM sightings"
                + " WHERE reader_id = ? AND first_seen >= ? AND first_seen <= ? LIMIT 10000)"
                + " WINDOW w AS (PARTITION BY s.tag ORDER BY s.first_seen)) x"
                + " WHERE reader_id = ? AND next_reader IS NOT NULL AND next_reader <> reader_id"
                + " AND next_seen - first_seen < interval '30 minutes'"
                + " GROUP BY next_reader ORDER BY passes DESC, next_reader LIMIT ?";
        java.sql.Timestamp from = new java.sql.Timestamp(at - LEARN_FROM_MS);
        java.sql.Timestamp until = new java.sql.Timestamp(at);
        java.sql.Timestamp end = new java.sql.Timestamp(at + NEXT_WITHIN_MS);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setTimestamp(1, from);
            ps.setTimestamp(2, end);
            ps.setString(3, reader);
            ps.setTimestamp(4, from);
            ps.setTimestamp(5, until);
            ps.setString(6, reader);
            ps.setInt(7, LIKELY_NEXT);
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(Map.of("reader", rs.getString(1), "passes", rs.getLong(2)));
                }
                return out;
            }
        }
    }

    /** The hit of the sighting it reports, so a repeat is stored once. */
    private static UUID id(long tag, String readerId, long firstSeen) {
        byte[] r = ("last-seen:" + readerId).getBytes(StandardCharsets.UTF_8);
        return UUID.nameUUIDFromBytes(ByteBuffer.allocate(16 + r.length).putLong(tag).putLong(firstSeen).put(r).array());
    }
}
