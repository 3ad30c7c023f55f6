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
 * constraint is dropped and added back in the import's transaction): a good import leaves the
 * constraint in place and checked, a failing one leaves everything as it was.
 */
class BulkImportTest {
    private static final int ROWS = Registry.BULK_IMPORT_ROWS + 2_000;

    @Test
    void bulkImport_keepsTheOwnerReference_andAFailedOneChangesNothing() throws Exception {
        try (TestEngine tw = TestEngine.start(Duration.ofSeconds(30))) {
            Registry registry = tw.engine.registry();
            List<VehicleImport> bad = rows(0x3C_0000L, "BI-");
            bad.set(ROWS - 1, new VehicleImport("BI-LAST", 0x3C_0000L, "ebike", null, null, "Owner 0", "+4930000000", null, null));
            assertThatThrownBy(() -> registry.importVehicles(bad)).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("already registered or repeated");
            assertThat(count(tw, "SELECT count(*) FROM vehicles WHERE plate LIKE 'BI-%'")).isZero();
            assertThat(count(tw, "SELECT count(*) FROM owners WHERE phone LIKE '+49300%'")).as("owners rolled back too").isZero();
            assertThat(ownerReference(tw)).isEqualTo(1);

            assertThat(registry.importVehicles(rows(0x3D_0000L, "BJ-"))).isEqualTo(ROWS);
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
