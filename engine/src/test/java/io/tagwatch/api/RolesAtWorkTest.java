package io.tagwatch.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.TestEngine;
import io.tagwatch.TestEngine.Answer;
import io.tagwatch.TestPublisher;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each role's job through the API: clerk registers and searches, owner sees only their own, admin keeps readers. */
class RolesAtWorkTest {
    private static TestEngine tw;
    private static String admin;
    private static String clerk;

    @BeforeAll
    static void setUp() {
        tw = TestEngine.start(b -> b.dedupWindow(Duration.ofMillis(300)));
        admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        clerk = account("desk", "clerk", null, null);
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    private static String account(String name, String role, String district, String phone) {
        return tw.api().userToken(admin, name, role, district, phone);
    }

    private static JsonNode register(String plate, String tag, String phone) {
        Answer a = tw.call("POST", "/api/vehicles", clerk, Map.of("plate", plate, "tag", tag, "kind", "ebike",
                "owner", Map.of("name", "Owner " + phone, "phone", phone)));
        assertThat(a.status()).isEqualTo(201);
        return a.body();
    }

    @Test
    void clerk_registersOwnerAndVehicle_searchesByPlateTagPhone_andReplacesTheTag() {
        Answer owner = tw.call("POST", "/api/owners", clerk, Map.of("name", "Owner +31 6 2000 0001", "phone", "+31 6 2000 0001"));
        assertThat(owner.status()).isEqualTo(201);
        assertThat(tw.call("POST", "/api/owners", clerk, Map.of("name", "Owner +31 6 2000 0001", "phone", "+31 6 2000 0001")).status())
                .isEqualTo(409);
        JsonNode v = register("CL-1", "C1A0000001", "+31 6 2000 0001");
        assertThat(v.get("owner").get("id").asLong()).isEqualTo(owner.body().get("id").asLong());

        assertThat(tw.call("GET", "/api/vehicles?plate=CL-1", clerk, null).body().get("items").get(0).get("id").asLong())
                .isEqualTo(v.get("id").asLong());
        assertThat(tw.call("GET", "/api/vehicles?tag=c1a0000001", clerk, null).body().get("items")).hasSize(1);
        assertThat(tw.call("GET", "/api/vehicles?phone=%2B31%206%202000%200001", clerk, null).body().get("items")).hasSize(1);
        Answer none = tw.call("GET", "/api/vehicles", clerk, null);
        assertThat(none.status()).isEqualTo(400);

        Answer rebound = tw.call("PUT", "/api/vehicles/" + v.get("id").asLong() + "/tag", clerk, Map.of("tag", "C1A0000002"));
        assertThat(rebound.status()).isEqualTo(200);
        assertThat(rebound.body().get("tag").asText()).isEqualTo("C1A0000002");
        assertThat(tw.call("GET", "/api/vehicles?tag=C1A0000001", clerk, null).body().get("items")).isEmpty();
        register("CL-2", "C1A0000003", "+31 6 2000 0002");
        Answer taken = tw.call("PUT", "/api/vehicles/" + v.get("id").asLong() + "/tag", clerk, Map.of("tag", "C1A0000003"));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.body().get("field").asText()).isEqualTo("tag");
    }

    @Test
    void clerk_cannotRegisterAPlateTwice_inAnyCase_andFindsItInAnyCase() {
        JsonNode first = register("NU-0001", "D1A0000001", "+31 6 2100 0001");
        Answer again = tw.call("POST", "/api/vehicles", clerk, Map.of("plate", " nu-0001 ", "tag", "D1A0000002",
                "kind", "motorcycle", "owner", Map.of("name", "Someone Else", "phone", "+31 6 2100 0002")));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().get("field").asText()).isEqualTo("plate");
        assertThat(again.body().get("message").asText()).isEqualTo("plate nu-0001 is already registered to another vehicle");

        JsonNode found = tw.call("GET", "/api/vehicles?plate=nu-0001", clerk, null).body().get("items");
        assertThat(found).hasSize(1);
        assertThat(found.get(0).get("id").asLong()).isEqualTo(first.get("id").asLong());
        assertThat(found.get(0).get("stolen").asBoolean()).isFalse();
        // the refused registration left nothing behind: its tag and its new owner are free
        assertThat(tw.call("GET", "/api/vehicles?tag=D1A0000002", clerk, null).body().get("items")).isEmpty();
        assertThat(tw.call("POST", "/api/owners", clerk, Map.of("name", "Someone Else", "phone", "+31 6 2100 0002"))
                .status()).isEqualTo(201);
    }

    @Test
    void clerk_errorsArePlainSentences_andAPhoneOfAnotherOwnerIsRefused() {
        register("PL-1", "D2A0000001", "+31 6 2200 0001");
        Answer tagTaken = tw.call("POST", "/api/vehicles", clerk, Map.of("plate", "PL-2", "tag", "d2a0000001",
                "kind", "ebike", "owner", Map.of("name", "Owner +31 6 2200 0001", "phone", "+31 6 2200 0001")));
        assertThat(tagTaken.status()).isEqualTo(409);
        assertThat(tagTaken.body().get("field").asText()).isEqualTo("tag");
        assertThat(tagTaken.body().get("message").asText()).isEqualTo("this tag is already bound to another vehicle");

        Answer badTag = tw.call("POST", "/api/vehicles", clerk, Map.of("plate", "PL-2", "tag", "xyz",
                "kind", "ebike", "owner", Map.of("name", "Owner +31 6 2200 0001", "phone", "+31 6 2200 0001")));
        assertThat(badTag.status()).isEqualTo(400);
        assertThat(badTag.body().get("message").asText())
                .isEqualTo("\"xyz\" is not a tag id: a tag id is 1 to 16 hex digits (0-9, A-F), such as 9F3A0001C2");

        Answer otherName = tw.call("POST", "/api/vehicles", clerk, Map.of("plate", "PL-3", "tag", "D2A0000003",
                "kind", "ebike", "owner", Map.of("name", "Mallory", "phone", "+31 6 2200 0001")));
        assertThat(otherName.status()).isEqualTo(409);
        assertThat(otherName.body().get("field").asText()).isEqualTo("owner.phone");
        assertThat(otherName.body().get("message").asText()).contains("belongs to owner Owner +31 6 2200 0001");
        assertThat(tw.call("GET", "/api/vehicles?plate=PL-3", clerk, null).body().get("items")).isEmpty();

        Answer sameName = tw.call("POST", "/api/vehicles", clerk, Map.of("plate", "PL-3", "tag", "D2A0000003",
                "kind", "ebike", "owner", Map.of("name", " owner +31 6 2200 0001", "phone", "+31 6 2200 0001")));
        assertThat(sameName.status()).isEqualTo(201);
        assertThat(tw.call("GET", "/api/vehicles?phone=%2B31%206%202200%200001", clerk, null).body().get("items")).hasSize(2);

        Answer noKind = tw.call("POST", "/api/vehicles", clerk, Map.of("plate", "PL-4", "tag", "D2A0000004",
                "kind", "car", "owner", Map.of("name", "N", "phone", "+31 6 2200 0004")));
        assertThat(noKind.body().get("message").asText()).isEqualTo("kind must be ebike or motorcycle");
    }

    @Test
    void owner_seesOwnVehicles_reportsATheft_seesItsStatus_andNothingOfAnotherOwner() {
        JsonNode mine = register("OW-1", "0A0000001", "+31 6 3000 0001");
        JsonNode theirs = register("OW-2", "0A0000002", "+31 6 3000 0002");
        String owner = account("ann", "owner", null, "+31 6 3000 0001");

        JsonNode list = tw.call("GET", "/api/me/vehicles", owner, null).body();
        assertThat(list.get("items")).hasSize(1);
        assertThat(list.get("items").get(0).get("plate").asText()).isEqualTo("OW-1");

        long id = mine.get("id").asLong();
        assertThat(tw.call("GET", "/api/me/vehicles/" + id + "/theft", owner, null).body().get("stolen").asBoolean()).isFalse();
        assertThat(tw.call("POST", "/api/vehicles/" + id + "/theft", owner, null).status()).isEqualTo(201);
        JsonNode status = tw.call("GET", "/api/me/vehicles/" + id + "/theft", owner, null).body();
        assertThat(status.get("stolen").asBoolean()).isTrue();
        assertThat(status.get("reports").get(0).get("status").asText()).isEqualTo("open");

        long other = theirs.get("id").asLong();
        assertThat(tw.call("GET", "/api/me/vehicles/" + other + "/theft", owner, null).status()).isEqualTo(404);
        assertThat(tw.call("POST", "/api/vehicles/" + other + "/theft", owner, null).status()).isEqualTo(404);
        assertThat(tw.call("GET", "/api/vehicles/" + other, owner, null).status()).isEqualTo(403);
        assertThat(tw.call("GET", "/api/vehicles?plate=OW-2", owner, null).status()).isEqualTo(403);
    }

    @Test
    void admin_rotatesAReadersSecret_andRetiresIt() throws Exception {
        String old = tw.api().createReader(admin, "ROT", "north");
        TestPublisher.readOnce(tw.broker(), "ROT", old, "0B0000001");

        Answer rotated = tw.call("POST", "/api/readers/ROT/secret", admin, null);
        assertThat(rotated.status()).isEqualTo(200);
        String fresh = rotated.body().get("secret").asText();
        assertThatThrownBy(() -> TestPublisher.readOnce(tw.broker(), "ROT", old, "0B0000001"))
                .isInstanceOf(MqttException.class);
        TestPublisher.readOnce(tw.broker(), "ROT", fresh, "0B0000001");

        MqttClient connected = new MqttClient(tw.broker(), "ROT-live", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("ROT");
        o.setPassword(fresh.toCharArray());
        connected.connect(o);

        assertThat(tw.call("DELETE", "/api/readers/ROT", admin, null).status()).isEqualTo(200);
        assertThatThrownBy(() -> TestPublisher.readOnce(tw.broker(), "ROT", fresh, "0B0000001"))
                .isInstanceOf(MqttException.class);
        // a connection open when the reader was retired is closed at its next publish, the batch not taken
        byte[] read = ("{\"reads\":[{\"tag\":\"0B0000002\",\"ts\":" + System.currentTimeMillis() + "}]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> connected.publish("tags/ROT/reads", read, 1, false)).isInstanceOf(MqttException.class);
        connected.close(true);
        JsonNode readers = tw.call("GET", "/api/readers", admin, null).body().get("items");
        assertThat(readers.findValuesAsText("id")).doesNotContain("ROT");
        assertThat(tw.call("DELETE", "/api/readers/ROT", admin, null).status()).isEqualTo(404);
        assertThat(tw.call("POST", "/api/readers/ROT/secret", admin, null).status()).isEqualTo(404);
    }

    @Test
    void officer_hitDetail_carriesTheTrackOfEarlierPasses() throws Exception {
        String secretA = tw.api().createReader(admin, "TA", "west");
        String secretB = tw.api().createReader(admin, "TB", "west");
        String officer = account("westcop", "officer", "west", null);
        JsonNode v = register("TR-1", "CC0000001", "+31 6 4000 0001");
        TestPublisher.readOnce(tw.broker(), "TA", secretA, "CC0000001");
        tw.awaitSighting("CC0000001");
        assertThat(tw.call("POST", "/api/vehicles/" + v.get("id").asLong() + "/theft", officer, null).status()).isEqualTo(201);
        TestPublisher.readOnce(tw.broker(), "TB", secretB, "CC0000001");

        JsonNode hit = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hit == null && System.nanoTime() < deadline) {
            for (JsonNode h : tw.call("GET", "/api/hits?list=stolen&district=west", officer, null).body().get("items")) {
                boolean live = h.get("rule").asText().equals("stolen-first-read"); // not the retro-hit at TA
                hit = live && h.get("tag").asText().equals("CC0000001") ? h : hit;
            }
            Thread.sleep(50);
        }
        assertThat(hit).isNotNull();
        JsonNode detail = tw.call("GET", "/api/hits/" + hit.get("hitId").asText(), officer, null).body();
        assertThat(detail.get("readerId").asText()).isEqualTo("TB");
        assertThat(detail.get("track").findValuesAsText("reader")).contains("TA");
    }
}
