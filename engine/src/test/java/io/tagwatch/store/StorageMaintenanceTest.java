package io.tagwatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagwatch.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Privacy-tiered retention on plain PostgreSQL, both tiers, with day partitions and the default partition. */
class StorageMaintenanceTest {
    private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");
    private static final long NEVER_IN_A_HIT = 0xA1;
    private static final long OPEN_HIT = 0xB2;
    private static final long CLOSED_LONG_AGO = 0xC3;
    private static final long STOLEN_STILL_OPEN = 0xD4;

    @Test
    void purge_removesOldSightingsOfUninvolvedVehiclesAndKeepsEvidenceUntilTheCaseClosedPlusEvidenceRetention()
            throws SQLException {
        PGSimpleDataSource ds = SightingCopyTest.migrated(TestDatabase.fresh());
        StorageMaintenance maintenance = new StorageMaintenance(ds, Duration.ofDays(30), Duration.ofDays(365), Duration.ofHours(1));
        LocalDate old = LocalDate.ofInstant(NOW.minus(Duration.ofDays(40)), ZoneOffset.UTC);
        new SightingPartitions(ds).ensure(old, old);
        long theft;
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO readers (id, name, lat, lon, district, secret_hash) VALUES ('R-1', 'gate', 0, 0, 'north', 'x')");
            st.execute("INSERT INTO owners (id, name, phone) VALUES (1, 'Li', '1')");
            st.execute("INSERT INTO vehicles (id, plate, tag, kind, owner_id) VALUES (1, 'P-1', " + STOLEN_STILL_OPEN
                    + ", 'ebike', 1)");
            try (ResultSet rs = st.executeQuery("INSERT INTO theft_reports (vehicle_id) VALUES (1) RETURNING id")) {
                rs.next();
                theft = rs.getLong(1);
            }
            hit(c, OPEN_HIT, null, "new", null);
            hit(c, CLOSED_LONG_AGO, null, "resolved", NOW.minus(Duration.ofDays(400)));
            // The officer resolved the hit, but the theft report it belongs to is still open.
            hit(c, STOLEN_STILL_OPEN, theft, "resolved", NOW.minus(Duration.ofDays(10)));
        }
        List<Sighting> rows = new ArrayList<>();
        for (long tag : new long[] {NEVER_IN_A_HIT, OPEN_HIT, CLOSED_LONG_AGO, STOLEN_STILL_OPEN}) {
            rows.add(sighting(tag, NOW.minus(Duration.ofDays(40))));  // in the old day's partition
            rows.add(sighting(tag, NOW.minus(Duration.ofDays(45))));  // no partition: the default one
            rows.add(sighting(tag, NOW.minus(Duration.ofDays(1))));   // within retention
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            new SightingCopy().copy(c, List.of(SightingRows.of(rows)));
            ReaderTraffic.add(c, List.of(SightingRows.of(rows)));
            c.commit();
        }

        StorageMaintenance.Result first = maintenance.runOnce(NOW);

        assertEquals(1, count(ds, NEVER_IN_A_HIT), "only the recent sighting of an uninvolved vehicle is left");
        assertEquals(3, count(ds, OPEN_HIT), "an open hit keeps all its sightings");
        assertEquals(1, count(ds, CLOSED_LONG_AGO), "a case closed 400 days ago (evidence 365 days) keeps nothing old");
        assertEquals(3, count(ds, STOLEN_STILL_OPEN), "an open theft report keeps the evidence of its resolved hit");
        assertEquals(4, first.sightingsRemoved());
        assertFalse(new SightingPartitions(ds).days().contains(old), "the old day's partition is dropped");
        LocalDate today = LocalDate.ofInstant(NOW, ZoneOffset.UTC);
        assertTrue(new SightingPartitions(ds).days().containsAll(
                List.of(today.minusDays(1), today, today.plusDays(StorageMaintenance.DAYS_AHEAD))), "days ahead exist");

        // The theft report closes (recovered 10 days ago); once 365 days have passed since, its evidence goes,
        // and the open hit's stays.
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE theft_reports SET status = 'recovered', closed_at = ? WHERE id = ?")) {
            ps.setTimestamp(1, Timestamp.from(NOW.minus(Duration.ofDays(10))));
            ps.setLong(2, theft);
            ps.executeUpdate();
        }
        Instant later = NOW.plus(Duration.ofDays(356));
        StorageMaintenance.Result second = maintenance.runOnce(later);
        assertEquals(2, second.evidenceRemoved(), "the two old evidence rows of the closed case are removed");
        assertEquals(0, count(ds, STOLEN_STILL_OPEN), "the closed case's recent sighting passed ordinary retention too");
        assertEquals(3, count(ds, OPEN_HIT), "a hit nobody resolved keeps its evidence");
        assertEquals(0, count(ds, NEVER_IN_A_HIT));
        // Traffic counts hold no vehicle: they outlive the sightings, for 400 days.
        try (Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT min(hour) FROM reader_traffic")) {
            rs.next();
            assertEquals(NOW.minus(Duration.ofDays(40)), rs.getTimestamp(1).toInstant(),
                    "traffic of 45 days before NOW is past 400 days at NOW + 356 days; of 40 days before, not yet");
        }
    }

    @Test
    void runOnce_onTwoNodesAtOnce_makesEachDayOnceAndNeitherFails() throws Exception {
        PGSimpleDataSource ds = SightingCopyTest.migrated(TestDatabase.fresh());
        List<java.util.concurrent.Callable<StorageMaintenance.Result>> nodes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            StorageMaintenance m = new StorageMaintenance(ds, Duration.ofDays(30), Duration.ofDays(365), Duration.ofHours(1));
            nodes.add(() -> m.runOnce(NOW));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            int made = 0;
            for (java.util.concurrent.Future<StorageMaintenance.Result> f : pool.invokeAll(nodes)) {
                made += f.get().partitionsCreated();
            }
            assertEquals(StorageMaintenance.DAYS_AHEAD + 2, made, "yesterday, today and the days ahead, once each");
            assertEquals(StorageMaintenance.DAYS_AHEAD + 2, new SightingPartitions(ds).days().size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nextDelay_isTheIntervalOrTheWaitUntilJustAfterMidnightUtc() {
        assertEquals(Duration.ofHours(1), StorageMaintenance.nextDelay(NOW, Duration.ofHours(1)));
        Instant late = Instant.parse("2026-06-15T23:30:00Z");
        assertEquals(Duration.ofMinutes(30).plus(StorageMaintenance.AFTER_MIDNIGHT),
                StorageMaintenance.nextDelay(late, Duration.ofHours(1)), "the day's index is built right after midnight");
    }

    private static Sighting sighting(long tag, Instant at) {
        return new Sighting(tag, "R-1", at.toEpochMilli(), at.toEpochMilli() + 2_000, 3, -60);
    }

    private static void hit(Connection c, long tag, Long theft, String status, Instant resolvedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO hits (id, list_kind, list_version, rule, tag, "
                + "theft_report_id, reader_id, district, reader_time, received_at, status, resolution, resolved_at) "
                + "VALUES (?, 'stolen', 1, 'stolen', ?, ?, 'R-1', 'north', ?, ?, ?, ?, ?)")) {
            ps.setObject(1, UUID.randomUUID());
            ps.setLong(2, tag);
            ps.setObject(3, theft);
            Timestamp at = Timestamp.from(NOW.minus(Duration.ofDays(41)));
            ps.setTimestamp(4, at);
            ps.setTimestamp(5, at);
            ps.setString(6, status);
            ps.setString(7, resolvedAt == null ? null : "recovered");
            ps.setTimestamp(8, resolvedAt == null ? null : Timestamp.from(resolvedAt));
            ps.executeUpdate();
        }
    }

    /** A tag's sightings wherever they are kept (the live table or the evidence table). */
    private static long count(PGSimpleDataSource ds, long tag) throws SQLException {
        return query(ds, "SELECT (SELECT count(*) FROM sightings WHERE tag = ?) + (SELECT count(*) FROM sighting_evidence WHERE tag = ?)", tag);
    }

    private static long query(PGSimpleDataSource ds, String sql, long tag) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, tag);
            ps.setLong(2, tag);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
