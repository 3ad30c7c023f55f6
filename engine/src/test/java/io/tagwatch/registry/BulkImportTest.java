package io.tagwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tagwatch.TestEngine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A large import checks the vehicles' owner references once for the whole table (the
 * constraint is dropped and added back in the import's transaction) and, into a registry no
 * larger than itself, builds the owners' and vehicles' indexes after inserting: a good import
 * leaves the constraint and every index as the migrations made them, a failing one (a repeated
 * tag, a plate that differs only in case) leaves everything as it was.
 */
class BulkImportTest {
    private static final int ROWS = Registry.BULK_IMPORT_ROWS + 2_000;

    @Test
    void bulkImport_keepsTheOwnerReference_andAFailedOneChangesNothing() throws Exception {
        try (TestEngine tw = TestEngine.start(Duration.ofSeconds(30))) {
            Registry registry = tw.engine.registry();
            List<String> indexes = indexes(tw);
            assertThat(indexes).as("the migrations' indexes").anyMatch(d -> d.contains("UNIQUE INDEX vehicles_plate_key"))
                    .anyMatch(d -> d.contains("vehicles_tag_key")).anyMatch(d -> d.contains("owners_id_card_idx"));
            List<VehicleImport> bad = rows(0x3C_0000L, "BI-");
            bad.set(ROWS - 1, new VehicleImport("BI-LAST", 0x3C_0000L, "ebike", null, null, "Owner 0", "+4930000000", null, null));
            assertThatThrownBy(() -> registry.importVehicles(bad)).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("already registered or repeated");
            assertThat(count(tw, "SELECT count(*) FROM vehicles WHERE plate LIKE 'BI-%'")).isZero();
            assertThat(count(tw, "SELECT count(*) FROM owners WHERE phone LIKE '+49300%'")).as("owners rolled back too").isZero();
            assertThat(ownerReference(tw)).isEqualTo(1);
            assertThat(indexes(tw)).isEqualTo(indexes);

            List<VehicleImport> samePlate = rows(0x3E_0000L, "BK-");
            samePlate.set(ROWS - 1, new VehicleImport("bk-0", 0x3F_0000L, "ebike", null, null, "Owner 0", "+4930000000", null, null));
            assertThatThrownBy(() -> registry.importVehicles(samePlate)).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("already registered or repeated");
            assertThat(count(tw, "SELECT count(*) FROM vehicles WHERE plate ILIKE 'BK-%'")).isZero();
            assertThat(indexes(tw)).isEqualTo(indexes);

            assertThat(registry.importVehicles(rows(0x3D_0000L, "BJ-"))).isEqualTo(ROWS);
            assertThat(indexes(tw)).as("every index built again, as the migrations define it").isEqualTo(indexes);
            try (Connection c = tw.db.connect(); Statement st = c.createStatement()) {
                st.execute("SET enable_seqscan = off");
                try (ResultSet rs = st.executeQuery("EXPLAIN SELECT id FROM vehicles WHERE tag = " + (0x3D_0000L + 7))) {
                    rs.next();
                    assertThat(rs.getString(1)).as("the tag index is valid and used").contains("vehicles_tag_key");
                }
            }
            assertThat(count(tw, "SELECT count(*) FROM vehicles WHERE plate LIKE 'BJ-%'")).isEqualTo(ROWS);
            assertThat(ownerReference(tw)).as("the owner reference is back and checked").isEqualTo(1);
            assertThat(count(tw, "SELECT count(*) FROM vehicles v LEFT JOIN owners o ON o.id = v.owner_id WHERE o.id IS NULL"))
                    .isZero();
        }
    }

    private static List<VehicleImport> rows(long firstTag, String platePrefix) {
        List<VehicleImport> out = new ArrayList<>(ROWS);
        for (int i = 0; i < ROWS; i++) {
            out.add(new VehicleImport(platePrefix + i, firstTag + i, i % 3 == 0 ? "motorcycle" : "ebike", null, null,
                    "Owner " + i / 2, "+4930" + String.format("%07d", i / 2), null, null));
        }
        return out;
    }

    /** Every index of owners and vehicles, as its definition, in name order. */
    private static List<String> indexes(TestEngine tw) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = tw.db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT indexdef FROM pg_indexes WHERE tablename IN ('owners', 'vehicles') ORDER BY indexname")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The validated foreign keys from vehicles to owners. */
    private static long ownerReference(TestEngine tw) throws Exception {
        return count(tw, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'vehicles'::regclass AND contype = 'f' "
                + "AND confrelid = 'owners'::regclass AND convalidated");
    }

    private static long count(TestEngine tw, String sql) throws Exception {
        try (Connection c = tw.db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
