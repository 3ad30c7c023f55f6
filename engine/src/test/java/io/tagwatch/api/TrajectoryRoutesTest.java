package io.tagwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.TestEngine;
import io.tagwatch.TestEngine.Answer;
import io.tagwatch.store.Sighting;
import io.tagwatch.store.SightingCopy;
import io.tagwatch.store.SightingRows;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A vehicle's sightings are read only with a reason on record, and its owner sees who read them. */
class TrajectoryRoutesTest {
    private static final Instant T0 = Instant.now().minus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    private static TestEngine tw;
    private static String admin;
    private static String officer;
    private static String owner;
    private static String otherOwner;
    private static long vehicle;

    @BeforeAll
    static void setUp() throws Exception {
        tw = TestEngine.start(b -> b);
        admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        vehicle = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "TR-1", "tag", "7A0001", "kind", "ebike",
                "owner", Map.of("name", "Wang", "phone", "+8613800000001"))).body().get("id").asLong();
        tw.call("POST", "/api/vehicles", admin, Map.of("plate", "TR-2", "tag", "7A0002", "kind", "ebike",
                "owner", Map.of("name", "Zhao", "phone", "+8613800000002")));
        tw.call("POST", "/api/users", admin, Map.of("username", "wang", "password", "wang-password", "role", "owner",
                "phone", "+8613800000001"));
        tw.call("POST", "/api/users", admin, Map.of("username", "zhao", "password", "zhao-password", "role", "owner",
                "phone", "+8613800000002"));
        tw.call("POST", "/api/users", admin, Map.of("username", "liu", "password", "liu-password", "role", "officer",
                "district", "north"));
        officer = tw.login("liu", "liu-password");
        owner = tw.login("wang", "wang-password");
        otherOwner = tw.login("zhao", "zhao-password");
        List<Sighting> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long at = T0.plus(Duration.ofHours(i)).toEpochMilli();
            rows.add(new Sighting(0x7A0001L, "R-" + i, at, at + 1_000, 2 + i, i == 1 ? Integer.MIN_VALUE : -50 - i));
        }
        long outside = T0.minus(Duration.ofDays(2)).toEpochMilli();
        rows.add(new Sighting(0x7A0001L, "R-9", outside, outside, 1, -70));
        rows.add(new Sighting(0x7A0002L, "R-1", T0.toEpochMilli(), T0.toEpochMilli(), 1, -70)); // another vehicle
        try (Connection c = tw.engine.dataSource().getConnection()) {
            c.setAutoCommit(false);
            new SightingCopy().copy(c, List.of(SightingRows.of(rows)));
            c.commit();
        }
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    private static String sightings(String reason) {
        String q = "/api/vehicles/" + vehicle + "/sightings?from=" + T0.minus(Duration.ofHours(1)) + "&to="
                + T0.plus(Duration.ofDays(1));
        return reason == null ? q : q + "&reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8);
    }

    @Test
    void sightings_withoutAReason_areRefusedAndNothingIsAudited() {
        Answer none = tw.call("GET", sightings(null), officer, null);
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.body().get("field").asText()).isEqualTo("reason");
        assertThat(tw.call("GET", sightings("  "), officer, null).status()).isEqualTo(400);
        assertThat(tw.call("GET", sightings("bad period case").replace("from=", "from=yesterday&x="), officer, null).body()
                .get("field").asText()).isEqualTo("from");
        for (JsonNode a : tw.call("GET", "/api/me/vehicles/" + vehicle + "/access-log", owner, null).body().get("items")) {
            assertThat(a.get("reason").asText()).as("a refused query leaves no audit row").isNotEqualTo("bad period case");
        }
    }

    @Test
    void sightings_withAReason_returnThePeriodInOrderAndTheOwnerSeesWhoAskedAndWhy() {
        String reason = "case 2026/118 theft Nanjing Rd";
        Answer got = tw.call("GET", sightings(reason), officer, null);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.body().get("tag").asText()).isEqualTo("7A0001");
        assertThat(got.body().get("count").asInt()).isEqualTo(3);
        List<String> readers = new ArrayList<>();
        got.body().get("items").forEach(p -> readers.add(p.get("readerId").asText()));
        assertThat(readers).containsExactly("R-0", "R-1", "R-2");
        assertThat(got.body().get("items").get(2).get("readCount").asInt()).isEqualTo(4);
        assertThat(got.body().get("items").get(2).get("bestRssi").asInt()).isEqualTo(-52);
        assertThat(got.body().get("items").get(1).get("bestRssi").isNull()).as("a reader that sent no rssi").isTrue();

        JsonNode log = tw.call("GET", "/api/me/vehicles/" + vehicle + "/access-log", owner, null).body().get("items");
        JsonNode mine = null;
        for (JsonNode a : log) {
            if (a.get("reason").asText().equals(reason)) {
                mine = a;
            }
        }
        assertThat(mine).as("audit row for the read").isNotNull();
        assertThat(mine.get("by").asText()).isEqualTo("liu");
        assertThat(mine.get("role").asText()).isEqualTo("officer");
        assertThat(mine.get("rowsReturned").asInt()).isEqualTo(3);
        assertThat(Instant.parse(mine.get("from").asText())).isEqualTo(T0.minus(Duration.ofHours(1)));
    }

    @Test
    void accessLog_isTheOwnersAlone_andSightingsAreForOfficersAndAdmins() {
        assertThat(tw.call("GET", "/api/me/vehicles/" + vehicle + "/access-log", otherOwner, null).status()).isEqualTo(404);
        assertThat(tw.call("GET", "/api/me/vehicles/" + vehicle + "/access-log", officer, null).status()).isEqualTo(403);
        assertThat(tw.call("GET", "/api/me/vehicles/" + vehicle + "/access-log", null, null).status()).isEqualTo(401);
        assertThat(tw.call("GET", sightings("curious"), owner, null).status()).isEqualTo(403);
        assertThat(tw.call("GET", sightings("curious"), null, null).status()).isEqualTo(401);
        assertThat(tw.call("GET", sightings("case 7").replace("/vehicles/" + vehicle + "/", "/vehicles/999999/"), admin, null)
                .status()).isEqualTo(404);
    }
}
