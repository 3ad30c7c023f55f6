package io.tagwatch.sim;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Mosquitto broker ({@code /usr/sbin/mosquitto}, package {@code mosquitto}) started on
 * a free loopback port with anonymous clients allowed and no persistence: the broker nobody
 * here wrote, for the simulator's and the cluster's tests and the load benchmark.
 * {@code extraConfig} lines are appended to its configuration; its log is
 * {@code mosquitto.log} in a temporary directory ({@link #logFile()}).
 */
public final class LocalMosquitto implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    public final int port;
    private final Process process;
    private final Path log;

    public LocalMosquitto(String extraConfig) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is not installed (apt-get install mosquitto)");
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("mosquitto");
        Path conf = dir.resolve("mosquitto.conf");
        log = dir.resolve("mosquitto.log");
        Files.writeString(conf, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "persistence false",
                "log_dest stdout",
                "log_type error", "log_type warning", "log_type notice", "log_type information", "") + extraConfig);
        process = new ProcessBuilder(BINARY.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IllegalStateException("mosquitto did not listen on port " + port + " within 10 s; see " + log);
    }

    /** For Paho: {@code tcp://127.0.0.1:<port>}. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** For {@code tagwatch serve --ingest}: {@code mqtt://127.0.0.1:<port>}. */
    public String mqttUri() {
        return "mqtt://127.0.0.1:" + port;
    }

    public Path logFile() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
