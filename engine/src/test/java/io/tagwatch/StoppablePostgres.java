package io.tagwatch;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A PostgreSQL of its own that a test can stop (fast shutdown, as an operator or a crash of
 * the database host would) and start again on the same data and port.
 */
final class StoppablePostgres implements AutoCloseable {
    private final Path data;
    private final int port;
    private final Path postgresBinary;
    private EmbeddedPostgres initial;
    private Process restarted;

    StoppablePostgres() throws IOException {
        data = Files.createTempDirectory("tagwatch-outage-pg");
        initial = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
                .setRegisterShutdownHook(true).start();
        port = initial.getPort();
        long pid = postmasterPid();
        postgresBinary = Path.of(Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString());
    }

    TestDatabase.Db createDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", null); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return new TestDatabase.Db(url(name), "postgres", null);
    }

    String url(String db) {
        return "jdbc:postgresql://localhost:" + port + "/" + db;
    }

    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    }

    /** Fast shutdown (SIGINT to the postmaster); returns once it is gone. */
    void stop() throws IOException, InterruptedException {
        long pid = postmasterPid();
        new ProcessBuilder("kill", "-INT", String.valueOf(pid)).inheritIO().start().waitFor();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            Thread.sleep(50);
        }
    }

    /** Starts the server again on the same data directory and port; returns once it accepts connections. */
    void start() throws IOException, InterruptedException {
        restarted = new ProcessBuilder(List.of(postgresBinary.toString(), "-D", data.toString(), "-p", String.valueOf(port),
                "-F", "-c", "timezone=UTC", "-c", "synchronous_commit=off", "-c", "max_connections=300"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        for (int i = 0; i < 200; i++) {
            try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", null)) {
                return;
            } catch (SQLException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("PostgreSQL did not come back on port " + port);
    }

    @Override
    public void close() throws Exception {
        if (restarted != null) {
            stop();
        } else {
            initial.close();
        }
    }
}
