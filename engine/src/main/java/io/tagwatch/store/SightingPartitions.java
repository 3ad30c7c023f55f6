package io.tagwatch.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plain-PostgreSQL storage of sightings: one declarative partition per UTC day
 * ({@code sightings_20261129}), created ahead of time, and dropped once the day is past
 * retention after its evidence rows moved to {@code sighting_evidence}. Rows outside every
 * day partition land in {@code sightings_default}; creating a day moves its rows out of the
 * default partition first, so a partition can be added for any day at any time.
 *
 * <p>Each day is itself split by a hash of the tag into {@value #TAG_HASH_PARTS} tables
 * ({@code sightings_20261129_h00} ..): a vehicle's query reads one of them. While a day is written it
 * has no B-tree (see {@link DayIndexes}), and its vehicles are found through a bloom BRIN index,
 * which a query reads whole: split, it reads a sixteenth of it and of the false-positive pages
 * (one vehicle over a 20 M-row day: 7-10 ms instead of 34-60 ms, benchmarks/RESULTS.md). Days made
 * before migration {@code V9_2} are single tables; both kinds are handled alike.
 *
 * <p>Not thread-safe: called from the one maintenance thread (and tests).
 */
final class SightingPartitions {
    private static final Logger log = LoggerFactory.getLogger(SightingPartitions.class);
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("'sightings_'yyyyMMdd");
    static final int TAG_HASH_PARTS = 16;

    private final DataSource db;

    SightingPartitions(DataSource db) {
        this.db = db;
    }

    static String name(LocalDate day) {
        return NAME.format(day);
    }

    /** Creates the partitions of {@code first} .. {@code last} (UTC days) that do not exist; returns how many it made. */
    int ensure(LocalDate first, LocalDate last) throws SQLException {
        List<LocalDate> existing = days();
        int made = 0;
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            if (!existing.contains(d) && create(d)) {
                made++;
            }
        }
        return made;
    }

    /** Creates one day's partition; false when another node made it first. */
    private boolean create(LocalDate day) throws SQLException {
        String table = name(day);
        Timestamp from = Timestamp.from(day.atStartOfDay(ZoneOffset.UTC).toInstant());
        Timestamp to = Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                if (!lockAndCheck(c, table, false)) {
                    c.commit();
                    return false;
                }
                st.execute("CREATE TABLE " + table + " (LIKE sightings INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
                        + "PARTITION BY HASH (tag)");
                for (int i = 0; i < TAG_HASH_PARTS; i++) {
                    st.execute(String.format("CREATE TABLE %s_h%02d PARTITION OF %s FOR VALUES WITH (MODULUS %d, REMAINDER %d)",
                            table, i, table, TAG_HASH_PARTS, i));
                }
                // Rows of this day already in the default partition would make ATTACH fail: move them.
                try (PreparedStatement ps = c.prepareStatement("WITH moved AS (DELETE FROM sightings_default "
                        + "WHERE first_seen >= ? AND first_seen < ? RETURNING *) INSERT INTO " + table + " SELECT * FROM moved")) {
                    ps.setTimestamp(1, from);
                    ps.setTimestamp(2, to);
                    int moved = ps.executeUpdate();
                    if (moved > 0) {
                        log.info("moved {} sightings of {} out of the default partition", moved, day);
                    }
                }
                st.execute("ALTER TABLE sightings ATTACH PARTITION " + table + " FOR VALUES FROM ('"
                        + from.toInstant() + "') TO ('" + to.toInstant() + "')");
                c.commit();
                log.info("created sightings partition {}", table);
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Takes the transaction-scoped lock that serialises partition changes of every node sharing the
     * database, then tells whether there is still work: the table exists ({@code mustExist} true, to
     * drop it) or does not ({@code mustExist} false, to create it). Another node may have done it meanwhile.
     */
    private static boolean lockAndCheck(Connection c, String table, boolean mustExist) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(hashtext('tagwatch.sightings.partitions'))");
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1) == mustExist;
            }
        }
    }

    /** The days that have a partition, oldest first. */
    List<LocalDate> days() throws SQLException {
        List<LocalDate> out = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                     + "WHERE i.inhparent = 'sightings'::regclass AND c.relname ~ '^sightings_[0-9]{8}$' ORDER BY 1")) {
            while (rs.next()) {
                out.add(LocalDate.parse(rs.getString(1).substring("sightings_".length()), DateTimeFormatter.BASIC_ISO_DATE));
            }
        }
        return out;
    }

    /**
     * Removes sightings that started before {@code cutoff}: day partitions that end at or before
     * it are dropped, the default partition is trimmed; rows that are evidence (see {@link Evidence})
     * move to {@code sighting_evidence} first, in the same transaction. Returns the rows removed,
     * not counting the evidence moved.
     */
    long purgeBefore(Instant cutoff, Instant evidenceCutoff) throws SQLException {
        long removed = 0;
        for (LocalDate day : days()) {
            Instant end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            if (!end.isAfter(cutoff)) {
                removed += dropDay(day, evidenceCutoff);
            }
        }
        try (Connection c = db.getConnection()) {
            removed += Evidence.moveAndDelete(c, "sightings_default", cutoff, evidenceCutoff);
        }
        return removed;
    }

    private long dropDay(LocalDate day, Instant evidenceCutoff) throws SQLException {
        String table = name(day);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!lockAndCheck(c, table, true)) {
                    c.commit();
                    return 0;
                }
                long moved = Evidence.copy(c, table, evidenceCutoff);
                long rows;
                try (Statement st = c.createStatement()) {
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                        rs.next();
                        rows = rs.getLong(1);
                    }
                    st.execute("ALTER TABLE sightings DETACH PARTITION " + table);
                    st.execute("DROP TABLE " + table);
                }
                c.commit();
                log.info("dropped sightings partition {}: {} rows past retention, {} kept as evidence", table, rows - moved, moved);
                return rows - moved;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
