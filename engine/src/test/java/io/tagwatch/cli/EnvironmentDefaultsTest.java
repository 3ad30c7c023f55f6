package io.tagwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EnvironmentDefaultsTest {
    @TempDir
    Path dir;

    private EngineOptions parse(Map<String, String> env, String... args) {
        CommandLine cl = Main.commandLine(env, EnvironmentDefaults.configArgument(args));
        CommandLine.ParseResult pr = cl.parseArgs(args);
        ServeCommand serve = (ServeCommand) pr.subcommand().commandSpec().userObject();
        return serve.options;
    }

    @Test
    void flagsBeatEnvironment_environmentBeatsConfigFile_fileBeatsDefaults() throws Exception {
        Path file = dir.resolve("tagwatch.properties");
        Files.writeString(file, "mqtt-port=2883\nhttp-port=9090\ndb-user=from-file\n");
        EngineOptions o = parse(Map.of("TAGWATCH_HTTP_PORT", "9191", "TAGWATCH_DB_URL", "jdbc:postgresql://db/tw"),
                "serve", "--config", file.toString(), "--db-user", "from-flag");
        assertThat(o.mqttPort).as("file").isEqualTo(2883);
        assertThat(o.httpPort).as("environment over file").isEqualTo(9191);
        assertThat(o.store.dbUrl).as("environment").isEqualTo("jdbc:postgresql://db/tw");
        assertThat(o.store.dbUser).as("flag over file").isEqualTo("from-flag");
        assertThat(o.store.dataDir).as("built-in default").isEqualTo(Path.of("data"));
    }

    @Test
    void memoryBounds_fromFlagOrEnvironment_reachTheConfig() throws Exception {
        EngineOptions o = parse(Map.of("TAGWATCH_WRITER_MAX_PENDING_ROWS", "1000"), "serve", "--max-open-sightings", "2048");
        assertThat(o.toConfig().maxOpenSightings()).isEqualTo(2048);
        assertThat(o.toConfig().writerPendingCap()).isEqualTo(1000);
        EngineOptions defaults = parse(Map.of(), "serve");
        assertThat(defaults.toConfig().maxOpenSightings()).isEqualTo(524_288);
        assertThat(defaults.toConfig().writerPendingCap()).as("from the heap").isEqualTo(Runtime.getRuntime().maxMemory() / io.tagwatch.config.EngineConfig.HEAP_BYTES_PER_PENDING_ROW);
    }

    @Test
    void aMisspelledKeyInTheConfigFile_isRefusedByName_notIgnored() throws Exception {
        Path file = dir.resolve("typo.properties");
        Files.writeString(file, "mqtt-port=2883\nhttp-prot=9090\n");
        CommandLine cl = Main.commandLine(Map.of(), file.toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cl.parseArgs("serve", "--config", file.toString()))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("unknown key 'http-prot'")
                .hasMessageContaining(file.toString());
    }

    @Test
    void aRefusedConfigFile_saysWhyAndWhereHelpIs_withoutTheWholeUsage() throws Exception {
        Path file = dir.resolve("typo.properties");
        Files.writeString(file, "http-prot=9090\n");
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine cl = Main.commandLine(Map.of(), file.toString());
        cl.setErr(new java.io.PrintWriter(err));
        String[] args = {"serve", "--config", file.toString()};
        CommandLine.ParameterException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> cl.parseArgs(args), CommandLine.ParameterException.class);
        assertThat(cl.getParameterExceptionHandler().handleParseException(refused, args)).isEqualTo(2);
        assertThat(err.toString()).startsWith("tagwatch: --config " + file + ": unknown key 'http-prot'")
                .contains("See 'tagwatch serve --help'.")
                .doesNotContain("--mqtt-port");
    }

    @Test
    void oneConfigFile_servesEveryCommand_aServeKeyIsNoErrorForImport() throws Exception {
        Path file = dir.resolve("tagwatch.properties");
        Files.writeString(file, "http-port=9090\ndata-dir=/tmp/tw-data\n");
        CommandLine cl = Main.commandLine(Map.of(), file.toString());
        CommandLine.ParseResult pr = cl.parseArgs("import", "vehicles", "x.csv", "--config", file.toString());
        assertThat(pr.subcommand().commandSpec().name()).isEqualTo("import");
    }

    @Test
    void aRefusedSetting_isNamedAsTheFlagTheOperatorTyped() {
        EngineOptions o = parse(Map.of(), "serve", "--retention-sightings", "1h");
        org.assertj.core.api.Assertions.assertThatThrownBy(o::toConfig)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--retention-sightings=PT1H must be at least a day");
    }

    @Test
    void envName_followsTheFlag() {
        assertThat(EnvironmentDefaults.envName("--db-password")).isEqualTo("TAGWATCH_DB_PASSWORD");
        assertThat(EnvironmentDefaults.envName("--mqtt-port")).isEqualTo("TAGWATCH_MQTT_PORT");
    }
}
