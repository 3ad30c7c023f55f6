package io.tagwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.MosquittoBroker;
import io.tagwatch.TestEngine;
import io.tagwatch.sim.LocalMosquitto;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tagwatch simulate} against a real engine (readers provisioned through its API) and against Mosquitto. */
class SimulateCommandTest {
    private static final Pattern SENT = Pattern.compile("Sent ([0-9,]+) reads of [0-9,]+ passes in ([0-9,]+) batches: ([0-9,]+) acknowledged, 0 failed");

    private static String run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.commandLine(Map.of(), null).execute(args);
        } finally {
            System.setOut(original);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        original.println(out);
        assertThat(code).as(out).isZero();
        return out;
    }

    private static long readsSent(String out) {
        Matcher m = SENT.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        assertThat(m.group(2)).isEqualTo(m.group(3)); // every batch acknowledged
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    @Test
    void engine_readersProvisionedThroughTheApi_everyReadArrives_andTheSecretsAreReusedNextRun(@TempDir Path dir) throws Exception {
        try (TestEngine t = TestEngine.start(b -> b)) {
            Path credentials = dir.resolve("readers.txt");
            String[] args = {"simulate", "--broker", t.broker(), "--vehicles", "3000", "--readers", "9", "--speed", "600",
                    "--duration", "3s", "--payload", "binary", "--credentials", credentials.toString(),
                    "--api", "http://127.0.0.1:" + t.engine.httpPort(), "--api-password", TestEngine.ADMIN_PASSWORD};
            long first = readsSent(run(args));
            assertThat(Files.readAllLines(credentials)).hasSize(9).allMatch(l -> l.matches("R\\d{3}-\\d{3} \\S+"));
            long second = readsSent(run(args)); // nothing to provision: the file has every reader
            assertThat(first).isPositive();
            assertThat(second).isPositive();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (t.engine.ingest().stats().reads() < first + second && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(t.engine.ingest().stats().reads()).isEqualTo(first + second);
        }
    }

    @Test
    void mosquitto_jsonAtQos1_everyBatchAcknowledgedByTheBroker() throws Exception {
        try (LocalMosquitto broker = MosquittoBroker.start()) {
            String out = run("simulate", "--broker", broker.uri(), "--vehicles", "3000", "--readers", "9", "--speed", "600",
                    "--duration", "2s", "--payload", "json", "--qos", "1");
            assertThat(readsSent(out)).isPositive();
        }
    }
}
