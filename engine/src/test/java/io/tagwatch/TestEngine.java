package io.tagwatch;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.config.EngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An engine on free ports over a fresh test database, with an HTTP client for its API.
 * Admin password {@value #ADMIN_PASSWORD}.
 */
public final class TestEngine implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "admin-test-password";

    public final Engine engine;
    public final TestDatabase.Db db;

    private TestEngine(Engine engine, TestDatabase.Db db) {
        this.engine = engine;
        this.db = db;
    }

    public static TestEngine start(Duration dedupWindow) {
        return start(dedupWindow, TestDatabase.fresh());
    }

    public static TestEngine start(Duration dedupWindow, TestDatabase.Db db) {
        return start(db, b -> b.dedupWindow(dedupWindow));
    }

    /** An engine whose configuration the test adjusts (limits, TLS...). */
    public static TestEngine start(java.util.function.UnaryOperator<EngineConfig.Builder> adjust) {
        return start(TestDatabase.fresh(), adjust);
    }

    public static TestEngine start(TestDatabase.Db db, java.util.function.UnaryOperator<EngineConfig.Builder> adjust) {
        try {
            Path dir = Files.createTempDirectory("tagwatch-test");
            EngineConfig.Builder b = EngineConfig.builder()
                    .bindHost("127.0.0.1").mqttPort(0).httpPort(0).tlsPort(0).dataDir(dir)
                    .dbUrl(db.url()).dbUser(db.user()).dbPassword(db.password())
                    .adminPassword(ADMIN_PASSWORD)
                    .writerFlushInterval(Duration.ofMillis(100))
                    .checkpointInterval(Duration.ofMillis(200));
            return new TestEngine(Engine.start(adjust.apply(b).build()), db);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String broker() {
        return "tcp://127.0.0.1:" + engine.mqttPort();
    }

    /** An HTTP answer: status and parsed JSON body. */
    public record Answer(int status, JsonNode body) {
    }

    public Answer call(String method, String path, String token, Object body) {
        return api().call(method, path, token, body);
    }

    /** Logs in and returns the bearer token (fails the test on anything but 200). */
    public String login(String username, String password) {
        return api().login(username, password);
    }

    /** Waits (up to 10 s) until a sighting of the tag (hex) is in the database: its dedup window closed and was written. */
    public void awaitSighting(String tagHex) {
        long tag = Long.parseUnsignedLong(tagHex, 16);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        try {
            while (System.nanoTime() < deadline) {
                try (java.sql.Connection c = db.connect();
                     java.sql.PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM sightings WHERE tag = ?")) {
                    ps.setLong(1, tag);
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            return;
                        }
                    }
                }
                Thread.sleep(50);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        throw new AssertionError("no sighting of tag " + tagHex + " within 10 s");
    }

    public ApiClient api() {
        return new ApiClient("http://127.0.0.1:" + engine.httpPort());
    }

    /** Waits (up to 20 s) until at least {@code n} sightings are stored; fails the test otherwise. */
    public void awaitSightings(int n) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM sightings")) {
                rs.next();
                if (rs.getInt(1) >= n) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("fewer than " + n + " sightings stored after 20 s");
    }

    @Override
    public void close() {
        engine.close();
    }
}
