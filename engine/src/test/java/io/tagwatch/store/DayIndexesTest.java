package io.tagwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tagwatch.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** The day being written has no B-tree; a finished day gets one from maintenance, once, on any node, repaired if a build failed. */
class DayIndexesTest {
    private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");
    private static final LocalDate TODAY = LocalDate.ofInstant(NOW, ZoneOffset.UTC);
    private static final LocalDate YESTERDAY = TODAY.minusDays(1);
    private static final long TAG = 0x9F3A0001C2L;

    @Test
    void runOnce_indexesTheFinishedDayOnly_andTheTrajectoryIsTheSameBeforeAndAfter() throws SQLException {
        DataSource ds = SightingCopyTest.migrated(TestDatabase.fresh());
        new SightingPartitions(ds).ensure(YESTERDAY, TODAY);
        long vehicle = vehicleAndOfficer(ds);
        int mine = copy(ds, YESTERDAY.atStartOfDay(ZoneOffset.UTC).toInstant(), NOW);
        Trajectories trajectories = new Trajectories(ds);
        Instant from = YESTERDAY.atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Trajectories.Point> before = trajectories.read(vehicle, from, NOW, 1, "case 1").orElseThrow().points();

        StorageMaintenance maintenance = new StorageMaintenance(ds, Duration.ofDays(30), Duration.ofDays(365), Duration.ofHours(1));
        StorageMaintenance.Result run = maintenance.runOnce(NOW);

        DayIndexes indexes = new DayIndexes(ds);
        assertThat(run.dayIndexesBuilt()).as("yesterday's tag-hash parts only").isEqualTo(SightingPartitions.TAG_HASH_PARTS);
        assertThat(indexes.valid(YESTERDAY)).isTrue();
        assertThat(indexes.valid(TODAY)).as("the day being written has no B-tree").isNull();
        // One vehicle reads one tag-hash part of a day: yesterday's through its B-tree, today's through the (tag bloom, first_seen) BRIN.
        assertThat(matches(plan(ds, YESTERDAY), "_h\\d\\d_tag_time_idx")).isEqualTo(1);
        assertThat(matches(plan(ds, TODAY), "_h\\d\\d_tag_first_seen_idx")).isEqualTo(1);
        List<Trajectories.Point> after = trajectories.read(vehicle, from, NOW, 1, "case 1").orElseThrow().points();
        assertThat(before).hasSize(mine).isEqualTo(after);
        assertThat(maintenance.runOnce(NOW).dayIndexesBuilt()).as("a second run (a restart) builds nothing").isZero();
    }

    @Test
    void runOnce_replacesAnIndexLeftInvalidByAFailedBuild() throws SQLException {
        DataSource ds = SightingCopyTest.migrated(TestDatabase.fresh());
        new SightingPartitions(ds).ensure(YESTERDAY, TODAY);
        copy(ds, YESTERDAY.atStartOfDay(ZoneOffset.UTC).toInstant(), NOW);
        String table = new DayIndexes(ds).tables(YESTERDAY).get(0);
        String index = DayIndexes.indexName(table);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            // A build that fails half-way leaves an INVALID index under the table's name.
            assertThatThrownBy(() -> st.execute("CREATE UNIQUE INDEX CONCURRENTLY " + index + " ON " + table + " (tag)"))
                    .hasMessageContaining("could not create unique index");
        }
        assertThat(new DayIndexes(ds).valid(YESTERDAY)).isFalse();

        StorageMaintenance.Result run = new StorageMaintenance(ds, Duration.ofDays(30), Duration.ofDays(365), Duration.ofHours(1))
                .runOnce(NOW);

        assertThat(run.dayIndexesBuilt()).isEqualTo(SightingPartitions.TAG_HASH_PARTS);
        assertThat(new DayIndexes(ds).valid(YESTERDAY)).isTrue();
        assertThat(indexDef(ds, index)).doesNotContain("UNIQUE").contains("(tag, first_seen DESC)");
    }

    @Test
    void runOnce_leavesADayToTheNodeBuildingIt() throws SQLException {
        DataSource ds = SightingCopyTest.migrated(TestDatabase.fresh());
        StorageMaintenance maintenance = new StorageMaintenance(ds, Duration.ofDays(30), Duration.ofDays(365), Duration.ofHours(1));
        new SightingPartitions(ds).ensure(YESTERDAY, YESTERDAY);
        try (Connection otherNode = ds.getConnection(); PreparedStatement ps = otherNode.prepareStatement(
                "SELECT pg_advisory_lock(?, hashtext(?))")) {
            ps.setInt(1, DayIndexes.LOCK_SPACE);
            ps.setString(2, new DayIndexes(ds).tables(YESTERDAY).get(0));
            ps.execute();
            assertThat(maintenance.runOnce(NOW).dayIndexesBuilt()).isEqualTo(SightingPartitions.TAG_HASH_PARTS - 1);
            assertThat(new DayIndexes(ds).valid(YESTERDAY)).as("one table is left to the other node").isNull();
        } // the other node's session ends without building: the next run does it
        assertThat(maintenance.runOnce(NOW).dayIndexesBuilt()).isEqualTo(1);
        assertThat(new DayIndexes(ds).valid(YESTERDAY)).isTrue();
        assertThat(maintenance.failures()).isZero();
    }

    @Test
    void summarize_leavesATableBeingIndexedByAnotherNode_insteadOfWaitingForItsLock() throws SQLException {
        TestDatabase.Db db = TestDatabase.fresh();
        DataSource ds = SightingCopyTest.migrated(db);
        new SightingPartitions(ds).ensure(YESTERDAY, YESTERDAY);
        copy(ds, YESTERDAY.atStartOfDay(ZoneOffset.UTC).toInstant(), TODAY.atStartOfDay(ZoneOffset.UTC).toInstant());
        List<String> tables = new DayIndexes(ds).tables(YESTERDAY);
        String building = tables.get(0);
        // This node gives up on a lock after 20 s instead of waiting for ever (as a deadlock would).
        org.postgresql.ds.PGSimpleDataSource impatient = SightingCopyTest.dataSource(db);
        impatient.setOptions("-c lock_timeout=20s");
        try (Connection otherNode = ds.getConnection(); Statement st = otherNode.createStatement()) {
            // The other node, mid CREATE INDEX CONCURRENTLY: its build lock and the table's SHARE UPDATE EXCLUSIVE lock.
            st.execute("SELECT pg_advisory_lock(" + DayIndexes.LOCK_SPACE + ", hashtext('" + building + "'))");
            otherNode.setAutoCommit(false);
            st.execute("LOCK TABLE " + building + " IN SHARE UPDATE EXCLUSIVE MODE");

            new DayIndexes(impatient).summarize(YESTERDAY);

            for (String table : tables.subList(1, tables.size())) {
                assertThat(unsummarized(ds, table)).as("%s summarized", table).isZero();
            }
            otherNode.rollback();
        }
        new DayIndexes(impatient).summarize(YESTERDAY);
        assertThat(unsummarized(ds, building)).as("the other node's table, once its lock is gone").isZero();
    }

    /** BRIN ranges of a table not summarized yet (summarizing them to count them). */
    private static long unsummarized(DataSource ds, String table) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return DayIndexes.summarizeTable(c, table);
        }
    }

    @Test
    void upgrade_keepsTheBtreesOfFinishedDays_andDropsTheOneOfTheDayBeingWritten() throws SQLException {
        TestDatabase.Db db = TestDatabase.fresh();
        flyway(db, "8.1").migrate();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        DataSource ds = SightingCopyTest.dataSource(db);
        for (LocalDate day = today.minusDays(2); !day.isAfter(today.plusDays(1)); day = day.plusDays(1)) {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) { // as SightingPartitions made them before V9_1
                st.execute("CREATE TABLE " + SightingPartitions.name(day) + " PARTITION OF sightings FOR VALUES FROM ('"
                        + day.atStartOfDay(ZoneOffset.UTC).toInstant() + "') TO ('"
                        + day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant() + "')");
            }
        }
        int mine = copy(ds, today.minusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant(), Instant.now());

        flyway(db, "latest").migrate();

        DayIndexes indexes = new DayIndexes(ds);
        assertThat(indexes.valid(today.minusDays(2))).isTrue();
        assertThat(indexes.valid(today.minusDays(1))).isTrue();
        assertThat(indexes.valid(today)).isNull();
        assertThat(indexDef(ds, "sightings_default_tag_time_idx")).contains("(tag, first_seen DESC)");
        assertThat(new SightingPartitions(ds).days()).as("tomorrow's empty partition is dropped, to be made again split")
                .containsExactly(today.minusDays(2), today.minusDays(1), today);
        new StorageMaintenance(ds, Duration.ofDays(30), Duration.ofDays(365), Duration.ofHours(1)).runOnce(Instant.now());
        assertThat(indexes.tables(today.plusDays(1))).hasSize(SightingPartitions.TAG_HASH_PARTS);
        assertThat(indexes.tables(today)).as("today's rows stay in one table until the day is over").hasSize(1);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sightings WHERE tag = " + TAG)) {
            rs.next();
            assertThat(rs.getLong(1)).as("every row still in its partition").isEqualTo(mine);
        }
    }

    private static Flyway flyway(TestDatabase.Db db, String target) {
        return Flyway.configure().dataSource(db.url(), db.user(), db.password()).locations("classpath:db/migration")
                .target(target).load();
    }

    /** Sightings every 12 s from {@code from} to {@code to}, in time order, of 200 tags; returns how many are {@link #TAG}'s. */
    private static int copy(DataSource ds, Instant from, Instant to) throws SQLException {
        List<Sighting> rows = new ArrayList<>();
        long step = 12_000;
        long i = 0;
        int mine = 0;
        for (long t = from.toEpochMilli(); t < to.toEpochMilli(); t += step, i++) {
            long tag = i % 400 == 0 ? TAG : 0x1000 + i % 199;
            mine += tag == TAG ? 1 : 0;
            rows.add(new Sighting(tag, "R-1", t, t + 2_000, 1 + (int) (i % 5), -60));
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            new SightingCopy().copy(c, List.of(SightingRows.of(rows)));
            c.commit();
        }
        return mine;
    }

    private static long vehicleAndOfficer(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO owners (id, name, phone) VALUES (1, 'Li', '1')");
            st.execute("INSERT INTO users (id, username, password_hash, role) VALUES (1, 'officer', 'x', 'officer')");
            try (ResultSet rs = st.executeQuery("INSERT INTO vehicles (plate, tag, kind, owner_id) VALUES ('P-1', " + TAG
                    + ", 'ebike', 1) RETURNING id")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The plan of one vehicle's query over one day's partition, sequential scans ruled out. */
    private static String plan(DataSource ds, LocalDate day) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET enable_seqscan = off");
            try (ResultSet rs = st.executeQuery("EXPLAIN SELECT * FROM " + SightingPartitions.name(day) + " WHERE tag = " + TAG)) {
                while (rs.next()) {
                    out.append(rs.getString(1)).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static long matches(String text, String regex) {
        return java.util.regex.Pattern.compile(regex).matcher(text).results().count();
    }

    private static String indexDef(DataSource ds, String index) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT pg_get_indexdef(to_regclass(?))")) {
            ps.setString(1, index);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
