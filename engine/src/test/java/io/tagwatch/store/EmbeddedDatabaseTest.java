package io.tagwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tagwatch.config.EngineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    @Test
    void secondOpenOfADataDirectoryInUse_isRefusedWithWhatToDo(@TempDir Path dir) {
        EngineConfig config = EngineConfig.builder().dataDir(dir).adminPassword("embedded-db-test-pw").build();
        try (Database first = Database.open(config, new SimpleMeterRegistry())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Database.open(config, new SimpleMeterRegistry()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the data directory is in use")
                    .hasMessageContaining(dir.toAbsolutePath().toString())
                    .hasMessageContaining("--data-dir");
        }
    }

    @Test
    void embeddedServer_processesRunBehindTheEngine_atAutogroupNice10(@TempDir Path dir) throws Exception {
        assumeTrue(EmbeddedDatabasePriority.autogroupOn(), "autogroup scheduling on");
        // "/autogroup-N nice 0", or empty where this JVM runs in the root autogroup (CI straight under init)
        String oursBefore = autogroupLine(ProcessHandle.current().pid());
        EngineConfig config = EngineConfig.builder().dataDir(dir).adminPassword("embedded-db-test-pw").build();
        try (Database db = Database.open(config, new SimpleMeterRegistry());
             Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            long backend;
            try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                backend = rs.getLong(1);
            }
            long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("postgres/postmaster.pid")).get(0).trim());
            List<Long> pids = new ArrayList<>(List.of(postmaster));
            ProcessHandle.of(postmaster).orElseThrow().children().forEach(p -> pids.add(p.pid()));
            assertThat(pids).as("the postmaster and its children").contains(backend).hasSizeGreaterThan(3);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!pids.stream().allMatch(p -> autogroupNice(p) == 10) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            for (long p : pids) {
                assertThat(autogroupNice(p)).as("autogroup nice of PostgreSQL process %d", p).isEqualTo(10);
            }
            assertThat(autogroupLine(ProcessHandle.current().pid())).as("the engine's own session, untouched")
                    .isEqualTo(oursBefore);
        }
    }

    private static int autogroupNice(long pid) {
        String line = autogroupLine(pid);
        return line == null || line.isBlank() ? Integer.MIN_VALUE : EmbeddedDatabasePriority.niceOf(line);
    }

    /** The process's {@code /proc/<pid>/autogroup}, or null once it has exited. */
    private static String autogroupLine(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/autogroup"));
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static String show(Statement st, String setting) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
