package io.tagwatch.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.TestEngine;
import io.tagwatch.TestPublisher;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** A theft report at once tells the patrols where the vehicle was last seen and where it likely went next. */
class RetroHitTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theftReport_publishesLastSeen_withTrack_andTheReadersMostOftenPassedNext() throws Exception {
        try (TestEngine tw = TestEngine.start(b -> b.dedupWindow(Duration.ofMillis(300)).unregisteredHits(false))) {
            String admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
            Map<String, String> s = new java.util.HashMap<>();
            for (String r : new String[] {"RA", "RB", "RC"}) {
                s.put(r, tw.api().createReader(admin, r, "ring"));
            }
            tw.call("POST", "/api/users", admin, Map.of("username", "ringpatrol", "password", "ring-password",
                    "role", "officer", "district", "ring"));
            long v = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "M-LAST", "tag", "1A57", "kind", "motorcycle",
                    "owner", Map.of("name", "U", "phone", "11"))).body().get("id").asLong();

            long t0 = System.currentTimeMillis() - 600_000;
            // Traffic that teaches the engine: from RA, vehicles mostly go on to RB, once to RC.
            for (int i = 0; i < 4; i++) {
                String tag = "CA0" + i;
                TestPublisher.readOnce(tw.broker(), "RA", s.get("RA"), tag, t0 + i * 1_000);
                TestPublisher.readOnce(tw.broker(), "RB", s.get("RB"), tag, t0 + i * 1_000 + 60_000);
            }
            TestPublisher.readOnce(tw.broker(), "RA", s.get("RA"), "CA09", t0);
            TestPublisher.readOnce(tw.broker(), "RC", s.get("RC"), "CA09", t0 + 60_000);
            // The vehicle itself: RC, then RA, where it was last seen.
            TestPublisher.readOnce(tw.broker(), "RC", s.get("RC"), "1A57", t0 + 100_000);
            TestPublisher.readOnce(tw.broker(), "RA", s.get("RA"), "1A57", t0 + 200_000);
            tw.awaitSightings(12);

            BlockingQueue<JsonNode> alerts = new LinkedBlockingQueue<>();
            MqttClient patrol = new MqttClient(tw.broker(), "ring-" + System.nanoTime(), new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setUserName("ringpatrol");
            o.setPassword("ring-password".toCharArray());
            patrol.connect(o);
            patrol.subscribe("alerts/ring", 1, (t, m) -> alerts.add(JSON.readTree(m.getPayload())));

            TestEngine.Answer theft = tw.call("POST", "/api/vehicles/" + v + "/theft", admin, null);
            assertThat(theft.status()).isEqualTo(201);
            assertThat(theft.body().get("lastSeen").get("reader").asText()).isEqualTo("RA");

            JsonNode a = alerts.poll(5, TimeUnit.SECONDS);
            assertThat(a).isNotNull();
            assertThat(a.get("rule").asText()).isEqualTo("last-seen");
            assertThat(a.get("tag").asText()).isEqualTo("1A57");
            assertThat(a.get("reader").get("id").asText()).isEqualTo("RA");
            assertThat(a.get("track")).extracting(p -> p.get("reader").asText()).containsExactly("RA", "RC");
            assertThat(a.get("likelyNext").get(0).get("reader").asText()).isEqualTo("RB");
            assertThat(a.get("likelyNext").get(0).get("passes").asInt()).isEqualTo(4);
            assertThat(a.get("likelyNext").get(1).get("reader").asText()).isEqualTo("RC");
            patrol.disconnect();
        }
    }
}
