package io.tagwatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.config.EngineConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An engine on free ports over a fresh test database, with an HTTP client for its API.
 * Admin password {@value #ADMIN_PASSWORD}.
 */
public final class TestEngine implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "admin-test-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Engine engine;
    public final TestDatabase.Db db;
    private final HttpClient http = HttpClient.newHttpClient();

    private TestEngine(Engine engine, TestDatabase.Db db) {
        this.engine = engine;
        this.db = db;
    }

    public static TestEngine start(Duration dedupWindow) {
        TestDatabase.Db db = TestDatabase.fresh();
        try {
            Path dir = Files.createTempDirectory("tagwatch-test");
            EngineConfig config = EngineConfig.builder()
                    .bindHost("127.0.0.1").mqttPort(0).httpPort(0).dataDir(dir)
                    .dbUrl(db.url()).dbUser(db.user()).dbPassword(db.password())
                    .adminPassword(ADMIN_PASSWORD)
                    .dedupWindow(dedupWindow)
                    .writerFlushInterval(Duration.ofMillis(100))
                    .build();
            return new TestEngine(Engine.start(config), db);
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
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.httpPort() + path))
                    .timeout(Duration.ofSeconds(20));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            byte[] bytes = body == null ? new byte[0]
                    : body instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8) : JSON.writeValueAsBytes(body);
            b.header("Content-Type", "application/json");
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode n = r.body().length == 0 ? null : JSON.readTree(r.body());
            return new Answer(r.statusCode(), n);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Logs in and returns the bearer token (fails the test on anything but 200). */
    public String login(String username, String password) {
        Answer a = call("POST", "/api/auth/login", null, java.util.Map.of("username", username, "password", password));
        if (a.status() != 200) {
            throw new AssertionError("login " + username + " answered " + a.status() + " " + a.body());
        }
        return a.body().get("token").asText();
    }

    @Override
    public void close() {
        engine.close();
    }
}
