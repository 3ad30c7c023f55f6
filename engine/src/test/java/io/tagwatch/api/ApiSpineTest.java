package io.tagwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.TestEngine;
import io.tagwatch.TestEngine.Answer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The first API over HTTP: tokens, roles, and the error answers a client sees. */
class ApiSpineTest {
    private static TestEngine tw;
    private static String admin;

    @BeforeAll
    static void setUp() {
        tw = TestEngine.start(Duration.ofSeconds(30));
        admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    private static String user(String name, String role, String district, String phone) {
        return tw.api().userToken(admin, name, role, district, phone);
    }

    @Test
    void health_isOk_onceReady() {
        Answer a = tw.call("GET", "/health", null, null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void login_wrongPassword_is401_andTokensCarryTheRole() {
        Answer bad = tw.call("POST", "/api/auth/login", null, Map.of("username", "admin", "password", "nope"));
        assertThat(bad.status()).isEqualTo(401);
        Answer ok = tw.call("POST", "/api/auth/login", null, Map.of("username", "admin", "password", TestEngine.ADMIN_PASSWORD));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().get("role").asText()).isEqualTo("admin");
    }

    @Test
    void noToken_is401_badToken_is401_wrongRole_is403() {
        assertThat(tw.call("GET", "/api/hits", null, null).status()).isEqualTo(401);
        assertThat(tw.call("GET", "/api/hits", "forged-token", null).status()).isEqualTo(401);
        String clerk = user("clerk1", "clerk", null, null);
        Answer a = tw.call("GET", "/api/hits", clerk, null);
        assertThat(a.status()).isEqualTo(403);
        assertThat(a.body().get("error").asText()).isEqualTo("forbidden");
        assertThat(tw.call("POST", "/api/readers", clerk,
                Map.of("id", "RX", "name", "x", "lat", 1, "lon", 1, "district", "d")).status()).isEqualTo(403);
    }

    @Test
    void badJson_andMissingFields_are400_withTheFieldAndReason() {
        Answer broken = tw.call("POST", "/api/readers", admin, "{\"id\": ");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.body().get("message").asText()).contains("not valid JSON");

        Answer missing = tw.call("POST", "/api/readers", admin, Map.of("id", "R9", "name", "x", "lat", 1, "lon", 2));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().get("field").asText()).isEqualTo("district");
        assertThat(missing.body().get("message").asText()).contains("required");

        Answer badTag = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "E-1", "tag", "XYZ", "kind", "ebike",
                "owner", Map.of("name", "A", "phone", "1")));
        assertThat(badTag.status()).isEqualTo(400);
        assertThat(badTag.body().get("field").asText()).isEqualTo("tag");

        Answer badKind = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "E-1", "tag", "A1", "kind", "car",
                "owner", Map.of("name", "A", "phone", "1")));
        assertThat(badKind.status()).isEqualTo(400);
        assertThat(badKind.body().get("field").asText()).isEqualTo("kind");
    }

    @Test
    void unknownRoute_is404_wrongMethod_is405() {
        assertThat(tw.call("GET", "/api/nothing", admin, null).status()).isEqualTo(404);
        assertThat(tw.call("DELETE", "/api/hits", admin, null).status()).isEqualTo(405);
    }

    @Test
    void owner_reportsOwnVehicleStolen_butNotAnothersVehicle() {
        String clerk = user("clerk2", "clerk", null, null);
        Answer mine = tw.call("POST", "/api/vehicles", clerk, Map.of("plate", "E-77", "tag", "77AA", "kind", "ebike",
                "owner", Map.of("name", "Bea", "phone", "+31611111111")));
        assertThat(mine.status()).isEqualTo(201);
        Answer theirs = tw.call("POST", "/api/vehicles", clerk, Map.of("plate", "M-78", "tag", "78AA", "kind", "motorcycle",
                "owner", Map.of("name", "Cas", "phone", "+31622222222")));
        String owner = user("bea", "owner", null, "+31611111111");

        Answer list = tw.call("GET", "/api/me/vehicles", owner, null);
        assertThat(list.body().get("items")).hasSize(1);
        assertThat(list.body().get("items").get(0).get("plate").asText()).isEqualTo("E-77");

        assertThat(tw.call("POST", "/api/vehicles/" + theirs.body().get("id").asLong() + "/theft", owner, null).status())
                .isEqualTo(404);
        Answer reported = tw.call("POST", "/api/vehicles/" + mine.body().get("id").asLong() + "/theft", owner, null);
        assertThat(reported.status()).isEqualTo(201);
        assertThat(tw.engine.hotLists().stolen(0x77AAL)).as("on the stolen list when the call returns").isNotNull();
        assertThat(tw.call("POST", "/api/vehicles/" + mine.body().get("id").asLong() + "/theft", owner, null).status())
                .isEqualTo(409);
        assertThat(tw.call("POST", "/api/vehicles/" + mine.body().get("id").asLong() + "/recovered", owner, null).status())
                .as("owners cannot close a theft report").isEqualTo(403);
        assertThat(tw.call("POST", "/api/vehicles/" + mine.body().get("id").asLong() + "/recovered", admin, null).status())
                .isEqualTo(200);
        assertThat(tw.engine.hotLists().stolen(0x77AAL)).isNull();
    }

    @Test
    void duplicateTag_is409() {
        Map<String, Object> v = Map.of("plate", "E-5", "tag", "5A5A", "kind", "ebike", "owner", Map.of("name", "D", "phone", "5"));
        assertThat(tw.call("POST", "/api/vehicles", admin, v).status()).isEqualTo(201);
        Answer again = tw.call("POST", "/api/vehicles", admin, v);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().get("field").asText()).isEqualTo("tag");
    }
}
