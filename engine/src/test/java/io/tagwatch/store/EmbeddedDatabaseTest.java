package io.tagwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tagwatch.config.EngineConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL that `serve` and `demo` start is as durable as the journal that trusts it. */
class EmbeddedDatabaseTest {
    @Test
    void embeddedServer_forcesWritesToDisk_andCommitsSynchronously(@TempDir Path dir) throws SQLException {
        EngineConfig config = EngineConfig.builder().dataDir(dir).adminPassword("embedded-db-test-pw").build();
        try (Database db = Database.open(config, new SimpleMeterRegistry());
             Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            assertThat(show(st, "fsync")).as("fsync (the library starts PostgreSQL with -F)").isEqualTo("on");
            assertThat(show(st, "synchronous_commit")).isEqualTo("on");
        }
    }

    private static String show(Statement st, String setting) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
