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

    /**
     * The compose profile {@code cluster}: EMQX with a shared-subscription strategy that keeps a
     * reader on one engine, and two engines whose environment, read by the engine's own command
     * line, is a valid configuration consuming that broker and sharing the one database, each
     * with a data volume of its own.
     */
    @Test
    @SuppressWarnings("unchecked")
    void clusterProfile_isEmqxAndTwoEngines_configuredThroughTheEnginesRealOptions() throws IOException {
        Map<String, Object> compose = new org.yaml.snakeyaml.Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        Map<String, Map<String, Object>> cluster = new java.util.LinkedHashMap<>();
        services.forEach((name, svc) -> {
            if (((java.util.List<String>) svc.getOrDefault("profiles", java.util.List.of())).contains("cluster")) {
                cluster.put(name, svc);
            }
        });
        String broker = cluster.entrySet().stream()
                .filter(e -> String.valueOf(e.getValue().get("image")).startsWith("emqx/emqx:"))
                .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("no EMQX in profile cluster"));
        assertThat(environment(cluster.get(broker))).containsEntry("EMQX_MQTT__SHARED_SUBSCRIPTION_STRATEGY", "hash_topic");

        Set<String> engines = new LinkedHashSet<>();
        Set<Object> dataVolumes = new LinkedHashSet<>();
        for (Map.Entry<String, Map<String, Object>> e : cluster.entrySet()) {
            Map<String, String> env = environment(e.getValue());
            if (!env.containsKey("TAGWATCH_INGEST")) {
                continue;
            }
            engines.add(e.getKey());
            CommandLine cl = Main.commandLine(env, null);
            ServeCommand serve = (ServeCommand) cl.parseArgs("serve").subcommand().commandSpec().userObject();
            io.tagwatch.config.EngineConfig config = serve.options.toConfig(); // validates, as at start
            assertThat(config.ingestUrl()).as(e.getKey()).isEqualTo("mqtt://" + broker + ":1883");
            assertThat(config.sharedGroup()).as(e.getKey()).isEqualTo("tagwatch");
            assertThat(config.dbUrl()).as(e.getKey()).isEqualTo("jdbc:postgresql://db:5432/tagwatch");
            assertThat(e.getValue().get("depends_on").toString()).as(e.getKey()).contains(broker, "db");
            java.util.List<String> volumes = (java.util.List<String>) e.getValue().get("volumes");
            assertThat(volumes).as(e.getKey()).singleElement().asString().endsWith(":/var/lib/tagwatch");
            dataVolumes.add(volumes.get(0));
        }
        assertThat(engines).as("engines consuming the broker").hasSize(2);
        assertThat(dataVolumes).as("a data directory (journal, node id) per engine").hasSize(2);
    }

    /** A service's environment with {@code ${...}} references filled in, as docker compose would. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        ((Map<String, Object>) service.getOrDefault("environment", Map.of())).forEach((k, v) ->
                env.put(k, String.valueOf(v).replaceAll("\\$\\{[^}]*}", "a-secret-from-the-env-file")));
        return env;
    }
}
