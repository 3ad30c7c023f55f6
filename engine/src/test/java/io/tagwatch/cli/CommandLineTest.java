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
}
