package io.tagwatch;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests: the server named by {@code TAGWATCH_TEST_DB_URL} (with
 * {@code TAGWATCH_TEST_DB_USER}, {@code TAGWATCH_TEST_DB_PASSWORD}) when set, else one embedded
 * PostgreSQL 17 per test JVM. Each caller gets a new, empty database of its own.
 */
public final class TestDatabase {
    /** Where a fresh database lives. */
    public record Db(String url, String user, String password) {
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(url, user, password);
        }
    }

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres embedded;

    private TestDatabase() {
    }

    /** Creates a new empty database. */
    public static synchronized Db fresh() {
        String external = System.getenv("TAGWATCH_TEST_DB_URL");
        String user = external != null ? System.getenv("TAGWATCH_TEST_DB_USER") : "postgres";
        String password = external != null ? System.getenv("TAGWATCH_TEST_DB_PASSWORD") : null;
        String adminUrl;
        if (external != null) {
            adminUrl = external;
        } else {
            if (embedded == null) {
                try {
                    embedded = EmbeddedPostgres.builder().start();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start embedded PostgreSQL for tests", e);
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        embedded.close();
                    } catch (IOException e) {
                        // the JVM is exiting
                    }
                }));
            }
            adminUrl = embedded.getJdbcUrl("postgres", "postgres");
        }
        String name = "tw_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        String url = adminUrl.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1");
        return new Db(url, user, password);
    }
}
