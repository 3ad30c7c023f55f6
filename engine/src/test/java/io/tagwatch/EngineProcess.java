package io.tagwatch;

import java.io.File;
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

/**
 * {@code tagwatch serve} in a JVM of its own (the test's class path), so a test can kill it
 * with SIGKILL and start it again on the same data directory and database. Its output goes to
 * {@code target/engine-process-*.log}.
 */
public final class EngineProcess implements AutoCloseable {
    public final int mqttPort;
    public final int httpPort;
    private final List<String> args;
    private final Path log;
    private Process process;

    /** {@code db} null: the embedded database, in {@code dataDir}, as {@code serve} runs it by default. */
    public EngineProcess(Path dataDir, TestDatabase.Db db, String... extra) throws IOException {
        this.mqttPort = freePort();
        this.httpPort = freePort();
        args = new ArrayList<>(List.of("serve", "--bind", "127.0.0.1", "--mqtt-port", String.valueOf(mqttPort),
                "--http-port", String.valueOf(httpPort), "--data-dir", dataDir.toString(),
                "--admin-password", TestEngine.ADMIN_PASSWORD));
        if (db != null) {
            args.addAll(List.of("--db-url", db.url(), "--db-user", db.user()));
        }
        if (db != null && db.password() != null) {
            args.add("--db-password");
            args.add(db.password());
        }
        args.addAll(List.of(extra));
        Files.createDirectories(Path.of("target"));
        log = Path.of("target", "engine-process-" + System.nanoTime() + ".log");
    }

    /** Ports handed out by {@link #freePort} in this JVM: the system may offer a just-closed port again. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A loopback port that is free now and that no earlier call in this JVM returned. */
    public static int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    /** Starts the process and waits until {@code /health} answers 200. */
    public void start() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.tagwatch.cli.Main");
        cmd.addAll(args);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("engine exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("engine not healthy within 60 s; see " + log.toAbsolutePath());
    }

    /** SIGKILL: no shutdown hook, no flush, nothing orderly. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM and wait for the orderly stop. */
    public int stop() throws InterruptedException {
        process.destroy();
        return process.waitFor();
    }

    public String broker() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public File logFile() {
        return log.toFile();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill9();
        }
    }
}
