package io.tagwatch.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-day B-tree {@code (tag, first_seen DESC)} of the plain-PostgreSQL storage: the day being
 * written has none (each row's B-tree descent costs more than the rest of its COPY; migration
 * {@code V9_1} says what was measured), and once a day is over each of its tables (the
 * {@link SightingPartitions#TAG_HASH_PARTS} tag-hash parts, or the one table of a day made before
 * {@code V9_2}) is indexed in one sort, {@code CREATE INDEX CONCURRENTLY} so late rows of that day are
 * still written meanwhile; the index is named {@code <table>_tag_time_idx}. Until then a vehicle's
 * rows of the day are found through the BRIN index on {@code (tag bloom, first_seen)} (migration
 * {@code V10_1}), whose summaries this class also brings up to date.
 *
 * <p>Idempotent and safe on several nodes: a build takes a session advisory lock per partition
 * ({@code pg_try_advisory_lock}; a node that does not get it leaves the day to the node that has it), and
 * an index left INVALID by a build that failed or was interrupted (the engine stopped, the connection
 * dropped) is dropped and built again, as PostgreSQL's documentation of {@code CREATE INDEX CONCURRENTLY}
 * advises. An interrupted build is never mistaken for one in progress: that one holds the lock.
 *
 * <p>Not thread-safe: called from the one maintenance thread (and tests).
 */
final class DayIndexes {
    private static final Logger log = LoggerFactory.getLogger(DayIndexes.class);
    /** The first key of the two-key advisory lock of a day's build; the second is the partition's name hash. */
    static final int LOCK_SPACE = 0x74770901;
    /** Memory for one build's sort: a city's day (20 M rows) then sorts mostly in memory. */
    private static final String SORT_MEMORY = "256MB";

    private final DataSource db;

    DayIndexes(DataSource db) {
        this.db = db;
    }

    private static final String INDEX_SUFFIX = "_tag_time_idx";

    static String indexName(String table) {
        return table + INDEX_SUFFIX;
    }

    /**
     * Gives every table of the day partitions in {@code days} that end before {@code today} (UTC) a
     * valid B-tree; returns how many it built (0 when all had one, or another node is building the rest).
     */
    int buildFinished(List<LocalDate> days, LocalDate today) throws SQLException {
        int built = 0;
        for (LocalDate day : days) {
            if (!day.isBefore(today)) {
                continue;
            }
            for (String table : withoutValidBtree(day)) {
                if (build(table)) {
                    built++;
                }
            }
        }
        return built;
    }

    /**
     * The state of a day's B-trees: true when every table of the day has a usable one, false when one
     * is INVALID, null when one has none (or the day has no partition).
     */
    Boolean valid(LocalDate day) throws SQLException {
        if (tables(day).isEmpty()) {
            return null;
        }
        List<String> lacking = withoutValidBtree(day);
        if (lacking.isEmpty()) {
            return Boolean.TRUE;
        }
        try (Connection c = db.getConnection()) {
            for (String table : lacking) {
                if (valid(c, indexName(table)) != null) {
                    return false; // there, but INVALID
                }
            }
        }
        return null;
    }

    /** The tables that hold a day's rows: its tag-hash parts, or the day partition itself. */
    List<String> tables(LocalDate day) throws SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT relid::regclass::text FROM pg_partition_tree(to_regclass(?)) WHERE isleaf ORDER BY 1")) {
            ps.setString(1, SightingPartitions.name(day));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * The day's tables without a valid B-tree, in one catalogue query (an hourly run looks at every
     * kept day: 36 days x 16 tables).
     */
    private List<String> withoutValidBtree(LocalDate day) throws SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT t.relid::regclass::text FROM pg_partition_tree(to_regclass(?)) t WHERE t.isleaf AND NOT EXISTS "
                        + "(SELECT 1 FROM pg_index x WHERE x.indexrelid = to_regclass(t.relid::regclass::text || ?) "
                        + "AND x.indisvalid) ORDER BY 1")) {
            ps.setString(1, SightingPartitions.name(day));
            ps.setString(2, INDEX_SUFFIX);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static Boolean valid(Connection c, String index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(?)")) {
            ps.setString(1, index);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    /** Builds one table's B-tree under the table's lock; false when another node holds the lock. */
    private boolean build(String table) throws SQLException {
        String index = indexName(table);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(true); // CONCURRENTLY cannot run in a transaction block
            if (!lock(c, "pg_try_advisory_lock", table)) {
                log.info("B-tree of {} is being built by another node", table);
                return false;
            }
            try (Statement st = c.createStatement()) {
                Boolean state = valid(c, index);
                if (Boolean.TRUE.equals(state)) {
                    return false; // another node finished it between our check and the lock
                }
                if (state != null) {
                    log.warn("B-tree {} is INVALID (a build failed or was interrupted): dropping and building it again", index);
                    st.execute("DROP INDEX CONCURRENTLY IF EXISTS " + index);
                }
                long started = System.nanoTime();
                st.execute("SET maintenance_work_mem = '" + SORT_MEMORY + "'");
                try {
                    st.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS " + index + " ON " + table + " (tag, first_seen DESC)");
                } finally {
                    st.execute("RESET maintenance_work_mem");
                }
                log.info("built B-tree {} in {} ms", index, (System.nanoTime() - started) / 1_000_000);
                return true;
            } finally {
                lock(c, "pg_advisory_unlock", table);
            }
        }
    }

    private static boolean lock(Connection c, String function, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?, hashtext(?))")) {
            ps.setInt(1, LOCK_SPACE);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Summarizes the BRIN ranges of {@code day}'s tables that autovacuum has not summarized yet
     * (its queue drops requests when rows arrive in bursts, e.g. a journal replay; an unsummarized
     * range is read whole by every query). Returns the ranges summarized; 0 when the day has no partition.
     *
     * <p>Each table in its own transaction, under the table's build lock, and a table whose B-tree
     * another node is building is left to that node (it summarizes the day after its builds):
     * {@code brin_summarize_new_values} wants the lock that {@code CREATE INDEX CONCURRENTLY} holds
     * while the build waits for every older transaction to end, so a summary of the whole day in one
     * statement waiting on one table would deadlock with a build on another node.
     */
    long summarize(LocalDate day) throws SQLException {
        long ranges = 0;
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(true);
            for (String table : tables(day)) {
                if (!lock(c, "pg_try_advisory_lock", table)) {
                    log.debug("BRIN summary of {} left to the node building its B-tree", table);
                    continue;
                }
                try {
                    ranges += summarizeTable(c, table);
                } finally {
                    lock(c, "pg_advisory_unlock", table);
                }
            }
        }
        return ranges;
    }

    /** Summarizes the BRIN ranges of one table not summarized yet; returns how many. */
    static long summarizeTable(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce(sum(brin_summarize_new_values(x.indexrelid)), 0) FROM pg_index x "
                        + "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam "
                        + "WHERE x.indrelid = to_regclass(?) AND a.amname = 'brin'")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
