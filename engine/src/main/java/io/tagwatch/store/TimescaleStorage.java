package io.tagwatch.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TimescaleDB storage path at run time, all of it in this class (its DDL is migration
 * {@code V6_2__timescale.sql}): whether {@code sightings} is a hypertable, and retention by
 * whole chunks. Written from TimescaleDB's documentation ({@code show_chunks},
 * {@code drop_chunks}); untested here, as these machines have no TimescaleDB.
 *
 * <p>Retention is not {@code add_retention_policy}: that policy drops chunks blindly and would
 * take hit evidence with them. The purge copies the evidence rows of each chunk that is wholly
 * past retention into {@code sighting_evidence}, then drops exactly those chunks, in one
 * transaction: the same contract as {@link SightingPartitions#purgeBefore} on plain PostgreSQL.
 * Compression (after a day, segmented by tag) is TimescaleDB's own policy, set by the migration.
 * Indexes: migrations {@code V9_1} and {@code V10_1} are common to both paths and leave the hypertable no
 * per-row B-tree on {@code tag}; a vehicle is found by the BRIN index on {@code (tag bloom, first_seen)}
 * in uncompressed chunks and by its segment in compressed ones, so {@link DayIndexes} (the plain path's day B-trees) has nothing to do here.
 *
 * <p>Stateless; safe from any thread.
 */
final class TimescaleStorage {
    private static final Logger log = LoggerFactory.getLogger(TimescaleStorage.class);

    private TimescaleStorage() {
    }

    /** True when {@code sightings} is a TimescaleDB hypertable (the migration found the extension). */
    static boolean active(DataSource db) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return false;
            }
        }
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables "
                     + "WHERE hypertable_name = 'sightings')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Keeps the evidence of every chunk ending before {@code cutoff}, then drops those chunks; returns rows removed. */
    static long purgeBefore(DataSource db, Instant cutoff, Instant evidenceCutoff) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<String> chunks = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT show_chunks('sightings', older_than => ?)::text")) {
                    ps.setTimestamp(1, Timestamp.from(cutoff));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            chunks.add(rs.getString(1));
                        }
                    }
                }
                long removed = 0;
                for (String chunk : chunks) {
                    long kept = Evidence.copy(c, chunk, evidenceCutoff);
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + chunk)) {
                        rs.next();
                        removed += rs.getLong(1) - kept;
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT drop_chunks('sightings', older_than => ?)")) {
                    ps.setTimestamp(1, Timestamp.from(cutoff));
                    ps.execute();
                }
                c.commit();
                log.info("dropped {} sightings chunks before {}: {} rows past retention", chunks.size(), cutoff, removed);
                return removed;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
