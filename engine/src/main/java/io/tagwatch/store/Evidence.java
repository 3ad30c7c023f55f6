package io.tagwatch.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Which sightings are evidence, in one place: every sighting of a tag that is in a hit whose
 * case is still open (the hit is not resolved, or its theft report is open) or was closed after
 * {@code evidenceCutoff} (now minus {@code retention.evidence}). A case closes at the later of the
 * hit's resolution and its theft report's closing.
 */
final class Evidence {
    /** The evidence tags; one parameter, the evidence cutoff. */
    static final String TAGS_SQL = "SELECT h.tag FROM hits h LEFT JOIN theft_reports t ON t.id = h.theft_report_id "
            + "WHERE h.status <> 'resolved' OR t.status = 'open' OR GREATEST(h.resolved_at, t.closed_at) > ?";

    private Evidence() {
    }

    /** Copies the evidence rows of {@code table} into {@code sighting_evidence}; returns how many. */
    static long copy(Connection c, String table, Instant evidenceCutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sighting_evidence SELECT * FROM " + table
                + " WHERE tag IN (" + TAGS_SQL + ")")) {
            ps.setTimestamp(1, Timestamp.from(evidenceCutoff));
            return ps.executeUpdate();
        }
    }

    /**
     * Deletes the rows of {@code table} that started before {@code cutoff}, keeping the evidence
     * among them in {@code sighting_evidence} (one statement, so one transaction); returns the rows
     * removed for good.
     */
    static long moveAndDelete(Connection c, String table, Instant cutoff, Instant evidenceCutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("WITH old AS (DELETE FROM " + table + " WHERE first_seen < ? "
                + "RETURNING *), kept AS (INSERT INTO sighting_evidence SELECT * FROM old WHERE tag IN (" + TAGS_SQL
                + ") RETURNING 1) SELECT (SELECT count(*) FROM old) - (SELECT count(*) FROM kept)")) {
            ps.setTimestamp(1, Timestamp.from(cutoff));
            ps.setTimestamp(2, Timestamp.from(evidenceCutoff));
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Deletes kept evidence whose case closed before {@code evidenceCutoff}; returns how many rows. */
    static long expire(Connection c, Instant evidenceCutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM sighting_evidence WHERE tag NOT IN (" + TAGS_SQL + ")")) {
            ps.setTimestamp(1, Timestamp.from(evidenceCutoff));
            return ps.executeUpdate();
        }
    }
}
