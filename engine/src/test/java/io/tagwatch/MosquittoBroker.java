package io.tagwatch;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Mosquitto broker ({@code /usr/sbin/mosquitto}) on a free loopback port, anonymous
 * clients allowed, for tests that point TagWatch's clients at a broker nobody here wrote.
 * Skips the test (fails it under CI) where the package is missing. Its log is
 * {@code target/mosquitto-*.log}.
 */
public final class MosquittoBroker implements AutoCloseable {
    public final int port;
    private final Process process;

    public MosquittoBroker() throws IOException, InterruptedException {
        RequiredTools.require("mosquitto", "mosquitto");
        port = EngineProcess.freePort();
        Path dir = Files.createTempDirectory("mosquitto");
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        Files.createDirectories(Path.of("target"));
        process = new ProcessBuilder(RequiredTools.find("mosquitto").toString(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "mosquitto-" + port + ".log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IllegalStateException("mosquitto did not listen on port " + port);
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
