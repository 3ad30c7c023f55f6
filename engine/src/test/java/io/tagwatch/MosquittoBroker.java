package io.tagwatch;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A Mosquitto broker (Debian's package {@code mosquitto}) of the test's own: its own
 * configuration on a free loopback port, anonymous clients, no limit on messages queued for
 * an offline persistent session. Its log goes to {@code target/mosquitto-*.log}. The calling
 * test is skipped (failed under CI) when Mosquitto is not installed.
 */
public final class MosquittoBroker implements AutoCloseable {
    public final int port;
    private final Process process;
    private final Path log;

    private MosquittoBroker(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    public static MosquittoBroker start() throws IOException, InterruptedException {
        RequiredTools.require("mosquitto", "mosquitto");
        int port = EngineProcess.freePort();
        Path dir = Files.createTempDirectory("tagwatch-mosquitto");
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "persistence false",
                "max_queued_messages 0",
                "log_dest stdout",
                "log_type error", "log_type warning", "log_type notice", "log_type information", ""));
        Files.createDirectories(Path.of("target"));
        Path log = Path.of("target", "mosquitto-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(RequiredTools.find("mosquitto").toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + p.exitValue() + "; see " + log.toAbsolutePath());
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return new MosquittoBroker(port, p, log);
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("mosquitto not listening within 10 s; see " + log.toAbsolutePath());
    }

    /** For Paho: {@code tcp://127.0.0.1:<port>}. */
    public String tcpUri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** For {@code tagwatch serve --ingest}: {@code mqtt://127.0.0.1:<port>}. */
    public String mqttUri() {
        return "mqtt://127.0.0.1:" + port;
    }

    public Path logFile() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
