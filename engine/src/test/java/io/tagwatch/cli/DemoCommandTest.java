package io.tagwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo, small: a real engine, embedded PostgreSQL, Paho readers and patrol; every hit raised. */
class DemoCommandTest {
    @Test
    void smallCity_raisesEveryExpectedHit_andExitsZero() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            code = Main.commandLine(Map.of(), null).execute("demo", "--vehicles", "5000", "--readers", "16",
                    "--stolen", "6", "--duration", "8s", "--speed", "300", "--mqtt-port", "0", "--http-port", "0");
        } finally {
            System.setOut(original);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        original.println(out);
        assertThat(code).as(out).isZero();
        assertThat(out).contains("every expected hit raised, once, and nothing else");
        assertThat(out).containsPattern("hits expected\\s+[1-9]");
        assertThat(out).contains("recall 100.0 %, precision 100.0 %");
        assertThat(out).containsPattern("of which reader publish -> engine receipt p50 \\d+ ms, p99 \\d+ ms; "
                + "engine receipt -> patrol p50 \\d+ ms, p99 \\d+ ms");
    }
}
