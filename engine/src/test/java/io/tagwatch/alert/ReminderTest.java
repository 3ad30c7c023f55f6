package io.tagwatch.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.TestEngine;
import io.tagwatch.TestPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** An unacknowledged stolen-vehicle hit is repeated, then escalated; an acknowledged one is not. */
class ReminderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void unacknowledgedHit_isRemindedThenEscalated_acknowledgedHitIsLeftAlone() throws Exception {
        try (TestEngine tw = TestEngine.start(b -> b.reminderInterval(Duration.ofSeconds(1)).reminderMax(2))) {
            String admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
            String secret = readerAndOfficer(tw, admin, "RX", "quay");
            String officer = tw.login("quay", "quay-password");
            stolen(tw, admin, "7E11");
            stolen(tw, admin, "7E12");
            BlockingQueue<String[]> got = new LinkedBlockingQueue<>(); // {topic, tag, reminder or escalated}
            MqttClient patrol = patrol(tw, "quay");
            // Each 7E11 alert's fields (but its reminder number or escalation) and its hit: a subscriber parses
            // a reminder as it parsed the first alert.
            List<String> shapes = java.util.Collections.synchronizedList(new ArrayList<>());
            patrol.subscribe("alerts/#", 1, (t, m) -> {
                JsonNode a = JSON.readTree(m.getPayload());
                if (a.get("tag").asText().equals("7E11")) { // before `got`: the test stops on the escalation there
                    List<String> fields = new ArrayList<>();
                    a.fieldNames().forEachRemaining(fields::add);
                    fields.removeAll(List.of("reminder", "escalated", "incident"));
                    shapes.add(a.get("hitId").asText() + " " + fields + " reader " + a.path("reader").path("id").asText()
                            + " vehicle " + a.path("vehicle").path("kind").asText());
                }
                got.add(new String[] {t, a.get("tag").asText(),
                        a.has("reminder") ? "reminder " + a.get("reminder").asInt() : a.has("escalated") ? "escalated" : "first"});
            });

            // the demo's patrol (sim.AlertListener) beside it: reminders are not duplicates there
            io.tagwatch.sim.AlertListener demoPatrol = new io.tagwatch.sim.AlertListener(tw.broker(), "quay", "quay-password");

            TestPublisher.readOnce(tw.broker(), "RX", secret, "7E11");
            TestPublisher.readOnce(tw.broker(), "RX", secret, "7E12");
            // the officer takes 7E12 at once
            String taken = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (taken == null && System.nanoTime() < deadline) {
                for (JsonNode h : tw.call("GET", "/api/hits?status=new", officer, null).body().get("items")) {
                    if (h.get("tag").asText().equals("7E12")) {
                        taken = h.get("hitId").asText();
                    }
                }
            }
            assertThat(tw.call("POST", "/api/hits/" + taken + "/ack", officer, null).status()).isEqualTo(200);

            List<String> seen = new ArrayList<>();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!seen.contains("alerts/escalation 7E11 escalated") && System.nanoTime() < deadline) {
                String[] a = got.poll(500, TimeUnit.MILLISECONDS);
                if (a != null) {
                    seen.add(String.join(" ", a));
                }
            }
            assertThat(seen).containsSubsequence("alerts/quay 7E11 first", "alerts/quay 7E11 reminder 1",
                    "alerts/quay 7E11 reminder 2", "alerts/escalation 7E11 escalated");
            assertThat(seen).filteredOn(s -> s.contains("7E12")).containsExactly("alerts/quay 7E12 first");
            assertThat(shapes).hasSize(4);
            assertThat(shapes.get(0)).contains(" reader RX vehicle ");
            assertThat(shapes).as("reminders and the escalation: the first alert's JSON again").allMatch(shapes.get(0)::equals);
            Thread.sleep(2_500);
            List<String[]> after = new ArrayList<>();
            got.drainTo(after);
            assertThat(after).as("nothing more once escalated").isEmpty();
            assertThat(demoPatrol.alerts()).isEqualTo(2);
            assertThat(demoPatrol.duplicates()).isZero();
            assertThat(demoPatrol.reminders()).as("two reminders and an escalation").isEqualTo(3);
            demoPatrol.close();
            patrol.disconnect();
        }
    }

    @Test
    void hitOfARecoveredVehicle_isNotReminded() throws Exception {
        try (TestEngine tw = TestEngine.start(b -> b.reminderInterval(Duration.ofSeconds(3)).reminderMax(2))) {
            String admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
            String secret = readerAndOfficer(tw, admin, "RY", "dock");
            long found = stolen(tw, admin, "7E21");
            stolen(tw, admin, "7E22");
            BlockingQueue<String> got = new LinkedBlockingQueue<>(); // "tag first|reminder n|escalated"
            MqttClient patrol = patrol(tw, "dock");
            patrol.subscribe("alerts/#", 1, (t, m) -> {
                JsonNode a = JSON.readTree(m.getPayload());
                got.add(a.get("tag").asText() + " "
                        + (a.has("reminder") ? "reminder " + a.get("reminder").asInt() : a.has("escalated") ? "escalated" : "first"));
            });
            TestPublisher.readOnce(tw.broker(), "RY", secret, "7E21");
            TestPublisher.readOnce(tw.broker(), "RY", secret, "7E22");
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.size() < 2 && System.nanoTime() < deadline) {
                String a = got.poll(200, TimeUnit.MILLISECONDS);
                if (a != null) {
                    seen.add(a);
                }
            }
            assertThat(seen).containsExactlyInAnyOrder("7E21 first", "7E22 first");
            // 7E21 is found at once (its first reminder is due 3 s after the hit): its hit stays new
            assertThat(tw.call("POST", "/api/vehicles/" + found + "/recovered", admin, null).status())
                    .isEqualTo(200);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!seen.contains("7E22 reminder 1") && System.nanoTime() < deadline) {
                String a = got.poll(200, TimeUnit.MILLISECONDS);
                if (a != null) {
                    seen.add(a);
                }
            }
            Thread.sleep(1_000); // the same sweep would have taken 7E21's reminder too
            got.drainTo(seen);
            assertThat(seen).contains("7E22 reminder 1").doesNotContain("7E21 reminder 1");
            patrol.disconnect();
        }
    }

    /** A reader in {@code district} (its secret returned) and an officer named as the district, password "{district}-password". */
    private static String readerAndOfficer(TestEngine tw, String admin, String reader, String district) throws Exception {
        String secret = tw.api().createReader(admin, reader, district);
        tw.call("POST", "/api/users", admin, Map.of("username", district, "password", district + "-password",
                "role", "officer", "district", district));
        return secret;
    }

    /** A registered vehicle with {@code tag}, reported stolen; returns its id. */
    private static long stolen(TestEngine tw, String admin, String tag) throws Exception {
        long v = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "P" + tag, "tag", tag, "kind", "ebike",
                "owner", Map.of("name", "W", "phone", tag))).body().get("id").asLong();
        tw.call("POST", "/api/vehicles/" + v + "/theft", admin, null);
        return v;
    }

    /** The officer's MQTT client, connected (subscribe it). */
    private static MqttClient patrol(TestEngine tw, String officer) throws Exception {
        MqttClient patrol = new MqttClient(tw.broker(), officer + "-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(officer);
        o.setPassword((officer + "-password").toCharArray());
        patrol.connect(o);
        return patrol;
    }
}
