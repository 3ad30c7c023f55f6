package io.tagwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tagwatch.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;

/**
 * V7_1 on a database of the previous version that holds one plate twice: it stops naming the plate and
 * both vehicles and changes nothing; once the operator corrects one, it applies (docs/operations.md, Upgrades).
 */
class UniquePlateMigrationTest {

    private static Flyway flyway(TestDatabase.Db db, String target) {
        return Flyway.configure().dataSource(db.url(), db.user(), db.password()).locations("classpath:db/migration")
                .target(target).load();
    }

    @Test
    void upgrade_withADuplicatePlate_failsNamingIt_andAppliesOnceItIsCorrected() throws SQLException {
        TestDatabase.Db db = TestDatabase.fresh();
        flyway(db, "6.4").migrate();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO owners (name, phone) VALUES ('Ann', '+31600000001')");
            st.execute("INSERT INTO vehicles (plate, tag, kind, owner_id) VALUES ('NU-0001', 1, 'ebike', 1), "
                    + "(' nu-0001', 2, 'ebike', 1), ('E-2 ', 3, 'ebike', 1)");
        }

        assertThatThrownBy(() -> flyway(db, "latest").migrate()).isInstanceOf(FlywayException.class)
                .hasMessageContaining("duplicate plates").hasMessageContaining("NU-0001 (vehicle ids 1, 2)");
        assertThat(query(db, "SELECT max(version) FROM flyway_schema_history WHERE success")).isEqualTo("6.4");

        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE vehicles SET plate = 'NU-0001-B' WHERE id = 2");
        }
        flyway(db, "latest").migrate();
        assertThat(query(db, "SELECT plate FROM vehicles WHERE id = 3")).as("plates are stored trimmed").isEqualTo("E-2");
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("INSERT INTO vehicles (plate, tag, kind, owner_id) VALUES ('e-2', 4, 'ebike', 1)"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("vehicles_plate_key");
        }
    }

    private static String query(TestDatabase.Db db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
