package io.tagwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {
    @Test
    void serve_onAPortInUse_failsWithAnErrorNamingTheFlag() throws Exception {
        TestDatabase.Db db = TestDatabase.fresh();
        try (ServerSocket taken = new ServerSocket(0)) {
            StringWriter err = new StringWriter();
            CommandLine cl = Main.commandLine(Map.of(), null);
            cl.setErr(new PrintWriter(err));
            int code = cl.execute("serve", "--mqtt-port", String.valueOf(taken.getLocalPort()), "--http-port", "0",
                    "--bind", "0.0.0.0", "--db-url", db.url(), "--db-user", db.user(), "--admin-password", "admin-password");
            assertThat(code).isNotZero();
            assertThat(err.toString()).contains("--mqtt-port " + taken.getLocalPort() + " is in use");
        }
    }

    @Test
    void serve_withABadOrUnreachableIngestBroker_failsSayingWhich() throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(Map.of(), null);
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("serve", "--ingest", "http://broker:1883")).isNotZero();
        assertThat(err.toString()).contains("ingestUrl=http://broker:1883 must be mqtt://host:port or mqtts://host:port");

        TestDatabase.Db db = TestDatabase.fresh();
        int closed = io.tagwatch.EngineProcess.freePort(); // nobody listens there
        StringWriter err2 = new StringWriter();
        CommandLine cl2 = Main.commandLine(Map.of(), null);
        cl2.setErr(new PrintWriter(err2));
        int code = cl2.execute("serve", "--mqtt-port", "0", "--http-port", "0", "--bind", "127.0.0.1",
                "--data-dir", java.nio.file.Files.createTempDirectory("tagwatch-cli").toString(), "--db-url", db.url(),
                "--db-user", db.user(), "--admin-password", "admin-password", "--ingest", "mqtt://127.0.0.1:" + closed);
        assertThat(code).isNotZero();
        assertThat(err2.toString()).contains("cannot connect to --ingest mqtt://127.0.0.1:" + closed);
    }
}
