package io.tagwatch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.TestEngine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What raises a hit and what does not: stolen, unregistered, registered, suppressed repeats. */
class MatchingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestEngine tw;
    private static String admin;
    private static final Map<String, String> secrets = new java.util.HashMap<>();
    private static final BlockingQueue<JsonNode> alerts = new LinkedBlockingQueue<>();
    private static MqttClient patrol;

    @BeforeAll
    static void setUp() throws Exception {
        tw = TestEngine.start(b -> b.dedupWindow(Duration.ofMillis(300)).hitSuppression(Duration.ofSeconds(5)));
        admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        secrets.put("M1", tw.api().createReader(admin, "M1", "west"));
        secrets.put("M2", tw.api().createReader(admin, "M2", "west"));
        tw.call("POST", "/api/users", admin, Map.of("username", "westpatrol", "password", "west-password",
                "role", "officer", "district", "west"));
        patrol = new MqttClient(tw.broker(), "west-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("westpatrol");
        o.setPassword("west-password".toCharArray());
        patrol.connect(o);
        patrol.subscribe("alerts/west", 1, (t, m) -> alerts.add(JSON.readTree(m.getPayload())));
    }

    @AfterAll
    static void tearDown() throws Exception {
        patrol.disconnect();
        tw.close();
    }

    private static long register(String plate, String tag) {
        return tw.call("POST", "/api/vehicles", admin, Map.of("plate", plate, "tag", tag, "kind", "ebike",
                "owner", Map.of("name", "R", "phone", "+3161" + tag))).body().get("id").asLong();
    }

    private static void read(String reader, String tag) throws Exception {
        io.tagwatch.TestPublisher.readOnce(tw.broker(), reader, secrets.get(reader), tag);
    }

    @Test
    void registeredTag_raisesNothing_unregisteredTag_raisesALowSeverityHit() throws Exception {
        long registeredFrom = System.currentTimeMillis();
        register("E-REG", "AB01");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!tw.engine.hotLists().registered(0xAB01L) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        alerts.clear();
        read("M1", "AB01");
        read("M1", "FF0F0F");
        JsonNode a = alerts.poll(5, TimeUnit.SECONDS);
        assertThat(a).isNotNull();
        assertThat(a.get("tag").asText()).isEqualTo("FF0F0F");
        assertThat(a.get("list").asText()).isEqualTo("unregistered");
        assertThat(a.get("rule").asText()).isEqualTo("unregistered-tag");
        // the list version: when the registered tags it was matched against were loaded (epoch ms), as the stolen list's
        assertThat(a.get("listVersion").asLong()).isEqualTo(tw.engine.hotLists().registeredVersion())
                .isGreaterThanOrEqualTo(registeredFrom).isLessThanOrEqualTo(System.currentTimeMillis());
        assertThat(a.get("plate").isNull()).isTrue();
        assertThat(alerts.poll(500, TimeUnit.MILLISECONDS)).as("no alert for the registered tag").isNull();
    }

    @Test
    void watchlistEntry_raisesAHitWithItsReason_inItsDistrictOnly_untilRemoved() throws Exception {
        secrets.putIfAbsent("M3", tw.api().createReader(admin, "M3", "south"));
        long v = register("E-WAT", "AB03");
        TestEngine.Answer added = tw.call("POST", "/api/watchlist", admin, Map.of("vehicleId", v,
                "reason", "case 2026-114: seen near the break-ins", "district", "west",
                "expiresAt", java.time.Instant.now().plusSeconds(3600).toString()));
        assertThat(added.status()).isEqualTo(201);
        long entry = added.body().get("id").asLong();
        assertThat(tw.call("GET", "/api/watchlist", admin, null).body().get("items"))
                .anyMatch(w -> w.get("id").asLong() == entry && w.get("plate").asText().equals("E-WAT"));
        alerts.clear();
        read("M3", "AB03"); // district south: outside the entry's scope
        read("M1", "AB03");
        JsonNode a = alerts.poll(5, TimeUnit.SECONDS);
        assertThat(a.get("list").asText()).isEqualTo("watchlist");
        assertThat(a.get("reader").get("id").asText()).isEqualTo("M1");
        assertThat(a.get("note").asText()).contains("case 2026-114");
        assertThat(a.get("watchlistId").asLong()).isEqualTo(entry);

        assertThat(tw.call("DELETE", "/api/watchlist/" + entry, admin, null).status()).isEqualTo(200);
        alerts.clear();
        read("M2", "AB03");
        assertThat(alerts.poll(700, TimeUnit.MILLISECONDS)).as("removed: a registered vehicle like any other").isNull();
        assertThat(tw.call("POST", "/api/watchlist", admin, Map.of("vehicleId", v, "reason", "x",
                "expiresAt", "yesterday")).body().get("field").asText()).isEqualTo("expiresAt");
    }

    @Test
    void aTagAtTwoReadersTooFarApartForTheTimeBetween_isACloneHit_aPlausibleTripIsNot() throws Exception {
        for (String[] r : new String[][] {{"F1", "52.37"}, {"F2", "52.47"}}) { // 11.1 km apart
            TestEngine.Answer a = tw.call("POST", "/api/readers", admin,
                    Map.of("id", r[0], "name", "Far " + r[0], "lat", Double.parseDouble(r[1]), "lon", 4.89, "district", "west"));
            secrets.put(r[0], a.body().get("secret").asText());
        }
        register("E-CL1", "CC01");
        register("E-CL2", "CC02");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!tw.engine.hotLists().registered(0xCC02L) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        alerts.clear();
        long t = System.currentTimeMillis() - 3_600_000;
        io.tagwatch.TestPublisher.readOnce(tw.broker(), "F1", secrets.get("F1"), "CC02", t);
        io.tagwatch.TestPublisher.readOnce(tw.broker(), "F2", secrets.get("F2"), "CC02", t + 1_800_000); // 22 km/h
        io.tagwatch.TestPublisher.readOnce(tw.broker(), "F1", secrets.get("F1"), "CC01", t);
        io.tagwatch.TestPublisher.readOnce(tw.broker(), "F2", secrets.get("F2"), "CC01", t + 60_000); // 667 km/h
        JsonNode a = alerts.poll(5, TimeUnit.SECONDS);
        assertThat(a).isNotNull();
        assertThat(a.get("tag").asText()).isEqualTo("CC01");
        assertThat(a.get("list").asText()).isEqualTo("cloned");
        assertThat(a.get("rule").asText()).isEqualTo("implied-speed");
        assertThat(a.get("reader").get("id").asText()).isEqualTo("F2");
        assertThat(a.get("note").asText()).contains("11.1 km from reader F1 in 60 s").contains("km/h (limit 60)");
        assertThat(alerts.poll(700, TimeUnit.MILLISECONDS)).as("the 22 km/h trip raised nothing").isNull();
    }

    @Test
    void aStolenVehiclesHits_formOneIncident_whoseAlertsCarryTheTrackAndTheDirection() throws Exception {
        for (String[] r : new String[][] {{"N1", "52.37", "4.89"}, {"N2", "52.38", "4.89"}, {"N3", "52.38", "4.905"}}) {
            TestEngine.Answer a = tw.call("POST", "/api/readers", admin, Map.of("id", r[0], "name", "Road " + r[0],
                    "lat", Double.parseDouble(r[1]), "lon", Double.parseDouble(r[2]), "district", "west"));
            secrets.put(r[0], a.body().get("secret").asText());
        }
        long v = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "M-INC", "tag", "1C1C", "kind", "motorcycle",
                "owner", Map.of("name", "I", "phone", "+31699"))).body().get("id").asLong();
        long theft = tw.call("POST", "/api/vehicles/" + v + "/theft", admin, null).body().get("theftReportId").asLong();
        alerts.clear();
        long t = System.currentTimeMillis() - 600_000;
        io.tagwatch.TestPublisher.readOnce(tw.broker(), "N1", secrets.get("N1"), "1C1C", t);
        io.tagwatch.TestPublisher.readOnce(tw.broker(), "N2", secrets.get("N2"), "1C1C", t + 120_000); // north
        io.tagwatch.TestPublisher.readOnce(tw.broker(), "N3", secrets.get("N3"), "1C1C", t + 240_000); // then east
        JsonNode first = alerts.poll(5, TimeUnit.SECONDS);
        JsonNode second = alerts.poll(5, TimeUnit.SECONDS);
        JsonNode third = alerts.poll(5, TimeUnit.SECONDS);
        assertThat(first.get("incident").get("id").asLong()).isEqualTo(theft);
        assertThat(first.get("list").asText()).isEqualTo("stolen");
        assertThat(first.get("listVersion").asLong()).as("the stolen list version the hit was matched against")
                .isEqualTo(tw.engine.hotLists().stolenVersion());
        assertThat(first.get("incident").has("direction")).as("one reader: no direction yet").isFalse();
        assertThat(second.get("incident").get("direction").get("heading").asText()).isEqualTo("N");
        assertThat(second.get("incident").get("direction").get("from").asText()).isEqualTo("N1");
        assertThat(third.get("incident").get("id").asLong()).as("one incident per theft").isEqualTo(theft);
        assertThat(third.get("incident").get("direction").get("heading").asText()).isEqualTo("E");
        assertThat(third.get("incident").get("track")).extracting(p -> p.get("reader").asText())
                .containsExactly("N3", "N2", "N1");
    }

    @Test
    void theSameStolenVehicleAtTheSameReader_isSuppressed_aNewReaderIsANewHit() throws Exception {
        long v = register("E-STO", "AB02");
        assertThat(tw.call("POST", "/api/vehicles/" + v + "/theft", admin, null).status()).isEqualTo(201);
        alerts.clear();
        read("M1", "AB02");
        assertThat(alerts.poll(5, TimeUnit.SECONDS).get("reader").get("id").asText()).isEqualTo("M1");
        Thread.sleep(700); // the sighting at M1 has closed; a new one opens, within the suppression time
        read("M1", "AB02");
        assertThat(alerts.poll(700, TimeUnit.MILLISECONDS)).as("suppressed at the same reader").isNull();
        read("M2", "AB02");
        JsonNode next = alerts.poll(5, TimeUnit.SECONDS);
        assertThat(next.get("reader").get("id").asText()).as("a new reader is a new hit").isEqualTo("M2");
        assertThat(next.get("list").asText()).isEqualTo("stolen");
        assertThat(tw.api().rawGet("/metrics")).containsPattern("tagwatch_hits_suppressed_total [1-9]");
    }
}
