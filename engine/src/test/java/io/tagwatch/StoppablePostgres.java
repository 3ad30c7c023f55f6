package io.tagwatch;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL of its own that a test can stop (its server process shut down, as an operator
 * or a failing database host would) and start again on the same data directory and port.
 */
final class StoppablePostgres implements AutoCloseable {
    private final Path data;
    private final int port;
    private EmbeddedPostgres server;

    StoppablePostgres() throws IOException {
        data = Files.createTempDirectory("tagwatch-outage-pg");
        server = builder().start();
        port = server.getPort();
    }

    private EmbeddedPostgres.Builder builder() {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false);
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

    /** Shuts the server process down; returns once it is gone. */
    void stop() throws IOException {
        server.close();
        server = null;
    }

    /** Starts the server again on the same data directory and port. */
    void start() throws IOException {
        server = builder().setPort(port).start();
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }
}
