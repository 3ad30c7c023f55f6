package io.tagwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.TestEngine;
import io.tagwatch.TestEngine.Answer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A hit's life: new → acknowledged (by whom) → resolved; recovered takes the vehicle off the stolen list. */
class HitLifecycleTest {
    private static TestEngine tw;
    private static String admin;
    private static String officer;
    private static String secret;

    @BeforeAll
    static void setUp() {
        tw = TestEngine.start(b -> b.dedupWindow(Duration.ofMillis(500)));
        admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        secret = tw.api().createReader(admin, "HL", "east");
        tw.call("POST", "/api/users", admin, Map.of("username", "eastofficer", "password", "east-password",
                "role", "officer", "district", "east"));
        officer = tw.login("eastofficer", "east-password");
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    private static JsonNode stolenHit(String tag) throws Exception {
        long v = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "P-" + tag, "tag", tag, "kind", "motorcycle",
                "owner", Map.of("name", "S", "phone", "+3162" + tag))).body().get("id").asLong();
        assertThat(tw.call("POST", "/api/vehicles/" + v + "/theft", admin, null).status()).isEqualTo(201);
        io.tagwatch.TestPublisher.readOnce(tw.broker(), "HL", secret, tag);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (JsonNode h : tw.call("GET", "/api/hits?status=new&list=stolen&district=east", officer, null).body().get("items")) {
                if (h.get("tag").asText().equals(tag)) {
                    return h;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no hit for " + tag);
    }

    @Test
    void acknowledge_thenResolveAsRecovered_closesTheTheftAndTakesTheVehicleOffTheList() throws Exception {
        JsonNode hit = stolenHit("B0B1");
        String id = hit.get("hitId").asText();
        assertThat(tw.call("GET", "/api/hits/" + id, officer, null).body().get("status").asText()).isEqualTo("new");

        Answer ack = tw.call("POST", "/api/hits/" + id + "/ack", officer, null);
        assertThat(ack.status()).isEqualTo(200);
        assertThat(ack.body().get("status").asText()).isEqualTo("acknowledged");
        assertThat(ack.body().get("acknowledgedBy").asText()).isEqualTo("eastofficer");
        assertThat(tw.call("POST", "/api/hits/" + id + "/ack", officer, null).status()).as("twice").isEqualTo(409);

        Answer bad = tw.call("POST", "/api/hits/" + id + "/resolve", officer, Map.of("resolution", "sideways"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("field").asText()).isEqualTo("resolution");

        assertThat(tw.engine.hotLists().stolen(0xB0B1L)).isNotNull();
        Answer resolved = tw.call("POST", "/api/hits/" + id + "/resolve", officer, Map.of("resolution", "recovered"));
        assertThat(resolved.status()).isEqualTo(200);
        assertThat(resolved.body().get("status").asText()).isEqualTo("resolved");
        assertThat(resolved.body().get("resolution").asText()).isEqualTo("recovered");
        assertThat(resolved.body().get("resolvedBy").asText()).isEqualTo("eastofficer");
        assertThat(tw.engine.hotLists().stolen(0xB0B1L)).as("off the stolen list").isNull();
        assertThat(tw.call("POST", "/api/hits/" + id + "/resolve", officer, Map.of("resolution", "not_found")).status())
                .isEqualTo(409);
    }

    @Test
    void resolveAsFalseAlarm_keepsTheTheftOpen_andFiltersFindIt() throws Exception {
        String id = stolenHit("B0B2").get("hitId").asText();
        assertThat(tw.call("POST", "/api/hits/" + id + "/resolve", officer, Map.of("resolution", "false_alarm")).status())
                .isEqualTo(200);
        assertThat(tw.engine.hotLists().stolen(0xB0B2L)).as("still stolen").isNotNull();
        JsonNode resolved = tw.call("GET", "/api/hits?status=resolved", officer, null).body().get("items");
        assertThat(resolved).anyMatch(h -> h.get("hitId").asText().equals(id));
        assertThat(tw.call("GET", "/api/hits?status=lost", officer, null).status()).isEqualTo(400);
    }

    @Test
    void unknownOrMalformedHitIds_are404() {
        assertThat(tw.call("GET", "/api/hits/" + UUID.randomUUID(), officer, null).status()).isEqualTo(404);
        assertThat(tw.call("POST", "/api/hits/not-a-uuid/ack", officer, null).status()).isEqualTo(404);
        assertThat(tw.call("POST", "/api/hits/" + UUID.randomUUID() + "/ack", officer, null).status()).isEqualTo(404);
    }
}
