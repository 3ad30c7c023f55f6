package io.tagwatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagwatch.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class SightingCopyTest {

    static PGSimpleDataSource migrated(TestDatabase.Db db) {
        PGSimpleDataSource ds = dataSource(db);
        Database.migrate(ds);
        return ds;
    }

    static PGSimpleDataSource dataSource(TestDatabase.Db db) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(db.url());
        ds.setUser(db.user());
        if (db.password() != null) {
            ds.setPassword(db.password());
        }
        return ds;
    }

    @Test
    void copy_roundTripsEveryColumnIncludingNullRssiAndHighBitTags() throws SQLException {
        PGSimpleDataSource ds = migrated(TestDatabase.fresh());
        long t = 1_764_380_000_123L;
        Sighting plain = new Sighting(0x9F3A0001C2L, "R-017", t, t + 1_500, 7, -58);
        Sighting noRssi = new Sighting(0xFFFFFFFFFFFFFFFFL, "读卡器-东门", t - 86_400_000L, t - 86_399_001L, 1, Integer.MIN_VALUE);
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            int rows = new SightingCopy().copy(c, List.of(SightingRows.of(List.of(plain)), SightingRows.of(List.of(noRssi))));
            c.commit();
            assertEquals(2, rows);
            List<Sighting> back = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT tag, reader_id, first_seen, last_seen, read_count, best_rssi FROM sightings ORDER BY first_seen DESC")) {
                while (rs.next()) {
                    short rssi = rs.getShort(6);
                    int bestRssi = rs.wasNull() ? Integer.MIN_VALUE : rssi;
                    back.add(new Sighting(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).getTime(),
                            rs.getTimestamp(4).getTime(), rs.getInt(5), bestRssi));
                }
            }
            assertEquals(List.of(plain, noRssi), back);
        }
    }

    @Test
    void copy_byOneCopierOfRowsNumberedApart_writesEachRowsOwnReader() throws SQLException {
        PGSimpleDataSource ds = migrated(TestDatabase.fresh());
        long t = 1_764_380_000_000L;
        SightingCopy copier = new SightingCopy(); // as the writer keeps one: its reader bytes outlive a copy
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            // Reader number 0 is "R-A" in the first rows, "R-B" in the second and third.
            copier.copy(c, List.of(SightingRows.of(List.of(new Sighting(1, "R-A", t, t, 1, -60)))));
            copier.copy(c, List.of(SightingRows.of(List.of(new Sighting(2, "R-B", t, t, 1, -60))),
                    SightingRows.of(List.of(new Sighting(3, "R-B", t, t, 1, -60), new Sighting(4, "R-A", t, t, 1, -60)))));
            c.commit();
            List<String> back = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT tag, reader_id FROM sightings ORDER BY tag")) {
                while (rs.next()) {
                    back.add(rs.getLong(1) + " " + rs.getString(2));
                }
            }
            assertEquals(List.of("1 R-A", "2 R-B", "3 R-B", "4 R-A"), back);
        }
    }

    @Test
    void copy_ofManyRowsCrossesTheFlushBoundaryAndRollsBackWhole() throws SQLException {
        PGSimpleDataSource ds = migrated(TestDatabase.fresh());
        List<Sighting> many = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            many.add(new Sighting(i, "R-" + (i % 100), 1_764_380_000_000L + i, 1_764_380_000_000L + i, 1, -60));
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            assertEquals(5_000, new SightingCopy().copy(c, List.of(SightingRows.of(many))));
            c.rollback();
            assertEquals(0, count(c));
            new SightingCopy().copy(c, List.of(SightingRows.of(many)));
            c.commit();
            assertEquals(5_000, count(c));
        }
    }

    @Test
    void copy_thatTheServerRefusesLeavesTheConnectionUsable() throws SQLException {
        PGSimpleDataSource ds = migrated(TestDatabase.fresh());
        // A reader id with a NUL byte is refused by PostgreSQL's text input: the COPY fails as a whole.
        Sighting bad = new Sighting(1, "R\u0000X", 1_764_380_000_000L, 1_764_380_000_000L, 1, -60);
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            boolean failed = false;
            try {
                new SightingCopy().copy(c, List.of(SightingRows.of(List.of(bad))));
            } catch (SQLException e) {
                failed = true;
            }
            assertTrue(failed, "a NUL in text must be refused");
            c.rollback();
            assertEquals(0, count(c));
            assertFalse(c.isClosed());
        }
    }

    private static long count(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM sightings")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
