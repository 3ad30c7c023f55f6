package io.tagwatch.metrics;

import io.tagwatch.sim.LocalMosquitto;
import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.MosquittoBroker;
import io.tagwatch.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/prometheus-alerts.yaml is only worth something if its expressions name metrics the
 * engine really exports: every metric (and every label value it selects) is looked for in the
 * scrape of a running engine in cluster mode (so the broker metrics are there too).
 */
class AlertRulesTest {
    private static final Pattern METRIC = Pattern.compile("\\b((?:tagwatch|hikaricp|jvm)_[a-z0-9_]+)(\\{([^}]*)})?");
    private static final Pattern MATCHER = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    @Test
    @SuppressWarnings("unchecked")
    void everyMetricInTheExampleRules_isExportedByTheEngine() throws Exception {
        Map<String, Object> file = new org.yaml.snakeyaml.Yaml().load(
                Files.readString(Path.of("..", "docker", "prometheus-alerts.yaml")));
        List<Map<String, Object>> rules = (List<Map<String, Object>>) ((List<Map<String, Object>>) file.get("groups"))
                .get(0).get("rules");
        assertThat(rules).hasSizeGreaterThan(5);
        try (LocalMosquitto broker = MosquittoBroker.start();
             TestEngine tw = TestEngine.start(b -> b.ingestUrl(broker.mqttUri()))) {
            String scrape = tw.api().rawGet("/metrics");
            TreeSet<String> checked = new TreeSet<>();
            for (Map<String, Object> rule : rules) {
                String name = (String) rule.get("alert");
                String expr = (String) rule.get("expr");
                assertThat(name).as("alert name").startsWith("TagWatch");
                assertThat(((Map<String, Object>) rule.get("labels")).get("severity")).as(name).isNotNull();
                assertThat(((Map<String, Object>) rule.get("annotations")).get("summary")).as(name).isNotNull();
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    String metric = m.group(1);
                    assertThat(scrape).as("%s uses %s", name, metric).containsPattern("(?m)^" + metric + "[{ ]");
                    if (m.group(3) != null) {
                        Matcher l = MATCHER.matcher(m.group(3));
                        while (l.find()) {
                            assertThat(scrape).as("%s selects %s{%s=\"%s\"}", name, metric, l.group(1), l.group(2))
                                    .containsPattern("(?m)^" + metric + "\\{[^}]*" + l.group(1) + "=\"" + l.group(2) + "\"");
                        }
                    }
                    checked.add(metric);
                }
            }
            assertThat(checked).contains("tagwatch_journal_full", "tagwatch_broker_connected",
                    "tagwatch_alert_latency_seconds_bucket", "tagwatch_readers_silent");
        }
    }
}
