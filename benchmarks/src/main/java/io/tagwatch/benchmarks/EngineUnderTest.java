package io.tagwatch.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tagwatch serve} in a JVM of its own (this jar's class path) on an embedded PostgreSQL
 * in a temporary directory, for the end-to-end benchmarks: its ports, its pid (for CPU time
 * and {@code jcmd}), its API and its {@code /metrics}. Never left behind: {@link #close}
 * kills it if it does not stop within 2 min (an orderly stop first matches and writes what
 * the journal still holds), then deletes its data directory.
 */
final class EngineUnderTest implements AutoCloseable {
    static final String ADMIN_PASSWORD = "bench-admin-pw";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final int mqttPort;
    final int httpPort;
    final Path dataDir;
    private final Process process;
    private String token;

    EngineUnderTest(String heap, String... extraArgs) throws Exception {
        dataDir = Files.createTempDirectory("tagwatch-bench");
        mqttPort = freePort();
        httpPort = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap));
        // -Dtagwatch.engine.jvm="-XX:+UseZGC ..." : JVM options of the engine under test (space-separated)
        String jvm = System.getProperty("tagwatch.engine.jvm", "").strip();
        if (!jvm.isEmpty()) {
            cmd.addAll(List.of(jvm.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tagwatch.cli.Main", "serve",
                "--bind", "0.0.0.0", "--mqtt-port", String.valueOf(mqttPort), "--http-port", String.valueOf(httpPort),
                "--data-dir", dataDir.toString(), "--admin-password", ADMIN_PASSWORD));
        cmd.addAll(List.of(extraArgs));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("engine.log").toFile()).start();
        awaitHealthy();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return dataDir.resolve("engine.log");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Calls the API (as admin once {@link #loginAdmin} ran); throws on a non-2xx answer. */
    JsonNode call(String method, String path, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    void loginAdmin() throws Exception {
        token = call("POST", "/api/auth/login", java.util.Map.of("username", "admin", "password", ADMIN_PASSWORD))
                .path("token").asText();
    }

    /** Provisions a reader (all at one spot, so the cloned-tag rule never compares them) and returns its secret. */
    String createReader(String id) throws Exception {
        return call("POST", "/api/readers", java.util.Map.of("id", id, "name", id, "lat", 52.37, "lon", 4.89,
                "district", "centre")).path("secret").asText();
    }

    /**
     * One GET of the engine's {@code /metrics}: every figure read from it comes from the same moment, and a
     * phase's boundary costs the engine one scrape, as a Prometheus scrape does — not one per figure (a
     * dozen back to back, on the engine's CPUs, in the first second of every phase's probes until session 16).
     */
    Metrics scrape() throws Exception {
        return new Metrics(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /**
     * Scrapes every {@code pollMillis} until each of {@code names} sums to 0, for at most
     * {@code maxNanos}: false when the time ran out first.
     */
    boolean awaitZero(long maxNanos, long pollMillis, String... names) throws Exception {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < maxNanos) {
            Metrics m = scrape();
            if (java.util.Arrays.stream(names).allMatch(n -> m.sum(n) == 0)) {
                return true;
            }
            Thread.sleep(pollMillis);
        }
        return false;
    }

    /** The text of one {@code /metrics} scrape (Prometheus exposition format). */
    record Metrics(String text) {
        /** The sum of a metric's samples (all its label sets), or 0 when it is absent. */
        double sum(String name) {
            return sum(name, "");
        }

        /** The sum of a metric's samples whose labels contain {@code labels} (e.g. {@code area="heap"}). */
        double sum(String name, String labels) {
            Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.E+-]+)$", Pattern.MULTILINE)
                    .matcher(text);
            double sum = 0;
            while (m.find()) {
                if (labels.isEmpty() || (m.group(1) != null && m.group(1).contains(labels))) {
                    sum += Double.parseDouble(m.group(2));
                }
            }
            return sum;
        }
    }

    private void awaitHealthy() throws Exception {
        for (int i = 0; i < 900; i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException("engine exited with " + process.exitValue() + "; see " + log());
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("engine not healthy within 90 s; see " + log());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly(); // never leave an engine (and its database) behind
            process.waitFor(10, TimeUnit.SECONDS);
        }
        deleteTree(dataDir); // its journal alone can reach gigabytes
    }

    /** Deletes a directory and everything under it, as far as it can. */
    static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
