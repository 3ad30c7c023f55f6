package io.tagwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class ReaderTrafficTest {
    private static final long HOUR = 3_600_000L;

    @Test
    void add_countsSightingsAndReadsPerReaderAndHour_acrossBatchesAndTransactions() throws Exception {
        PGSimpleDataSource ds = SightingCopyTest.migrated(TestDatabase.fresh());
        long h0 = 1_764_378_000_000L; // an hour's start (UTC)
        // Rows in no order, hours interleaved, one reader id as two distinct String instances.
        List<Sighting> first = List.of(
                new Sighting(1, "R-1", h0 + 10, h0 + 20, 3, -50),
                new Sighting(2, "R-2", h0 + HOUR + 5, h0 + HOUR + 9, 1, -60),
                new Sighting(3, new String("R-1"), h0 + HOUR - 1, h0 + HOUR + 2_000, 2, -55),
                new Sighting(4, "R-1", h0 + HOUR, h0 + HOUR + 1, 5, -40));
        List<Sighting> second = List.of(
                new Sighting(5, new String("R-2"), h0 + HOUR + 100, h0 + HOUR + 200, 4, -70),
                new Sighting(6, "R-1", h0 - 1, h0 - 1, 1, -45)); // the hour before
        try (Connection c = ds.getConnection()) {
            assertThat(ReaderTraffic.add(c, List.of(SightingRows.of(first), SightingRows.of(second)))).isEqualTo(4);
            assertThat(ReaderTraffic.add(c, List.of(SightingRows.of(List.of(
                    new Sighting(7, "R-2", h0 + HOUR + 7, h0 + HOUR + 8, 10, -65)))))).isEqualTo(1);
            assertThat(ReaderTraffic.add(c, List.of())).isZero();
        }
        assertThat(table(ds)).containsExactly(
                "R-1 " + (h0 - HOUR) + " 1 1",
                "R-1 " + h0 + " 2 5",
                "R-1 " + (h0 + HOUR) + " 1 5",
                "R-2 " + (h0 + HOUR) + " 3 15");
    }

    private static List<String> table(PGSimpleDataSource ds) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT reader_id, extract(epoch FROM hour)::bigint * 1000, sightings, reads "
                     + "FROM reader_traffic ORDER BY reader_id, hour")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getLong(3) + " " + rs.getLong(4));
            }
        }
        return out;
    }
}
