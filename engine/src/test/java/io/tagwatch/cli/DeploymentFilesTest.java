package io.tagwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.TestEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docker/ cannot be run here (no Docker engine), so its files are checked against the engine
 * itself: every TAGWATCH_* variable they set is a real option of {@code tagwatch serve}, the
 * ports they expose are the engine's defaults, and the health check path answers 200.
 */
class DeploymentFilesTest {
    private static final Path DOCKER = Path.of("..", "docker");

    private static Set<String> serveEnvironmentNames() {
        CommandLine serve = Main.commandLine(Map.of(), null).getSubcommands().get("serve");
        Set<String> names = new LinkedHashSet<>();
        for (OptionSpec o : serve.getCommandSpec().options()) {
            names.add(EnvironmentDefaults.envName(o.longestName()));
        }
        return names;
    }

    private static Set<String> variablesIn(String text) {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\b(TAGWATCH_[A-Z_]+)\\s*[:=]").matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @Test
    void everyTagwatchVariableInDockerFiles_isAnOptionOfServe() throws IOException {
        String compose = Files.readString(DOCKER.resolve("compose.yaml"));
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        Set<String> used = variablesIn(compose);
        used.addAll(variablesIn(dockerfile));
        assertThat(used).as("variables set by docker/").contains("TAGWATCH_DB_URL", "TAGWATCH_DATA_DIR");
        assertThat(serveEnvironmentNames()).containsAll(used);
    }

    @Test
    void exposedPorts_areTheEngineDefaults() throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        assertThat(dockerfile).contains("EXPOSE 1883 8080");
        String compose = Files.readString(DOCKER.resolve("compose.yaml"));
        assertThat(compose).contains("\"1883:1883\"", "\"8080:8080\"");
        CommandLine serve = Main.commandLine(Map.of(), null).getSubcommands().get("serve");
        assertThat(serve.getCommandSpec().findOption("--mqtt-port").defaultValue()).isEqualTo("1883");
        assertThat(serve.getCommandSpec().findOption("--http-port").defaultValue()).isEqualTo("8080");
    }

    @Test
    void healthCheckPath_answers200OnARunningEngine() throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:8080(/[a-z/]+)").matcher(dockerfile);
        assertThat(m.find()).isTrue();
        try (TestEngine tw = TestEngine.start(b -> b)) {
            TestEngine.Answer a = tw.call("GET", m.group(1), null, null);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body().get("checks").get("database").asBoolean()).isTrue();
            assertThat(a.body().get("checks").get("journal").asBoolean()).isTrue();
            assertThat(tw.call("GET", "/health/live", null, null).status()).isEqualTo(200);
        }
    }
}
