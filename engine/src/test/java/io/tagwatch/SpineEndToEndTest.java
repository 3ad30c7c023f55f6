package io.tagwatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The spine end to end: real Paho readers and officer subscriber against a running engine on a
 * real PostgreSQL, set up through the HTTP API as an operator would.
 */
class SpineEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STOLEN_TAG = "9F3A0001C2";
    private static final String CLEAN_TAG = "9F3A0001C3";

    private static TestEngine tw;
    private static String r1Secret;
    private static String r2Secret;
    private static String adminToken;

    @BeforeAll
    static void setUp() {
        tw = TestEngine.start(Duration.ofSeconds(1));
        adminToken = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        r1Secret = createReader("R1", "centre");
        r2Secret = createReader("R2", "harbour");
        assertThat(tw.call("POST", "/api/users", adminToken, Map.of("username", "officer1",
                "password", "officer-password", "role", "officer", "district", "centre")).status()).isEqualTo(201);
        long stolenId = tw.api().registerVehicle(adminToken, "E-1001", STOLEN_TAG);
        tw.api().registerVehicle(adminToken, "E-1002", CLEAN_TAG);
        TestEngine.Answer theft = tw.call("POST", "/api/vehicles/" + stolenId + "/theft", adminToken, null);
        assertThat(theft.status()).isEqualTo(201);
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    private static String createReader(String id, String district) {
        TestEngine.Answer a = tw.call("POST", "/api/readers", adminToken,
                Map.of("id", id, "name", "Junction " + id, "lat", 52.37, "lon", 4.89, "district", district));
        assertThat(a.status()).isEqualTo(201);
        return a.body().get("secret").asText();
    }

    private static MqttClient reader311(String id, String secret) throws MqttException {
        MqttClient c = new MqttClient(tw.broker(), id + "-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(id);
        o.setPassword(secret.toCharArray());
        c.connect(o);
        return c;
    }

    private static MqttAsyncClient client5(String username, String password) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(tw.broker(), username + "-v5-" + System.nanoTime(),
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(username);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        c.connect(o).waitForCompletion(10_000);
        return c;
    }

    /** PUBACK reason code of a QoS 1 publish (Paho 5 reports refusals either way: token or exception). */
    private static int publish5(MqttAsyncClient c, String topic, byte[] payload) throws Exception {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        try {
            IMqttToken t = c.publish(topic, m);
            t.waitForCompletion(10_000);
            int[] codes = t.getReasonCodes();
            return codes == null || codes.length == 0 ? 0 : codes[0];
        } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
            return e.getReasonCode();
        }
    }

    private static String readsJson(String tag, long ts, int rssi) {
        return "{\"reads\":[{\"tag\":\"" + tag + "\",\"ts\":" + ts + ",\"rssi\":" + rssi + ",\"ant\":1}]}";
    }

    @Test
    void stolenTag_reachesOfficerSubscriber_withinOneSecond_andHitIsStored() throws Exception {
        BlockingQueue<String> alerts = new LinkedBlockingQueue<>();
        MqttClient officer = new MqttClient(tw.broker(), "officer1-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("officer1");
        o.setPassword("officer-password".toCharArray());
        officer.connect(o);
        officer.subscribe("alerts/centre", 1, (topic, msg) -> alerts.add(topic + " " + new String(msg.getPayload(), StandardCharsets.UTF_8)));
        MqttClient reader = reader311("R1", r1Secret);
        try {
            long sent = System.currentTimeMillis();
            reader.publish("tags/R1/reads", readsJson(STOLEN_TAG, sent, -58).getBytes(StandardCharsets.UTF_8), 1, false);
            String alert = alerts.poll(1, TimeUnit.SECONDS);
            assertThat(alert).as("alert within one second of the publish").isNotNull();
            assertThat(alert).startsWith("alerts/centre ");
            JsonNode a = JSON.readTree(alert.substring("alerts/centre ".length()));
            assertThat(a.get("tag").asText()).isEqualTo(STOLEN_TAG);
            assertThat(a.get("plate").asText()).isEqualTo("E-1001");
            assertThat(a.get("vehicle").get("brand").asText()).isEqualTo("Yadea");
            assertThat(a.get("reader").get("id").asText()).isEqualTo("R1");
            assertThat(a.get("reader").get("name").asText()).isEqualTo("Junction R1");
            assertThat(a.get("reader").get("lat").asDouble()).isEqualTo(52.37);
            assertThat(a.get("rssi").asInt()).isEqualTo(-58);
            String hitId = a.get("hitId").asText();

            JsonNode hit = awaitHit(hitId);
            assertThat(hit.get("tag").asText()).isEqualTo(STOLEN_TAG);
            assertThat(hit.get("readerId").asText()).isEqualTo("R1");
            assertThat(hit.get("status").asText()).isEqualTo("new");
            assertThat(hit.get("list").asText()).isEqualTo("stolen");
        } finally {
            reader.disconnect();
            officer.disconnect();
        }
    }

    private static JsonNode awaitHit(String hitId) throws InterruptedException {
        String token = tw.login("officer1", "officer-password");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            TestEngine.Answer a = tw.call("GET", "/api/hits", token, null);
            assertThat(a.status()).isEqualTo(200);
            for (JsonNode h : a.body().get("items")) {
                if (h.get("hitId").asText().equals(hitId)) {
                    return h;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("hit " + hitId + " never stored");
    }

    @Test
    void sightings_areStoredWithReadCountsAfterDedup() throws Exception {
        // R2 sees CLEAN_TAG four times in two batches and another tag twice: two sightings.
        String other = "ABCDEF0123";
        long t = System.currentTimeMillis();
        MqttClient reader = reader311("R2", r2Secret);
        try {
            reader.publish("tags/R2/reads", ("{\"reads\":[{\"tag\":\"" + CLEAN_TAG + "\",\"ts\":" + t + ",\"rssi\":-70},"
                    + "{\"tag\":\"" + CLEAN_TAG + "\",\"ts\":" + (t + 300) + ",\"rssi\":-52},"
                    + "{\"tag\":\"" + other + "\",\"ts\":" + (t + 100) + ",\"rssi\":-80}]}").getBytes(StandardCharsets.UTF_8), 1, false);
            reader.publish("tags/R2/reads", binaryBatch(t + 600, new long[] {0x9F3A0001C3L, 0x9F3A0001C3L, 0xABCDEF0123L},
                    new int[] {0, 200, 250}, new int[] {-61, -66, -90}), 1, false);
        } finally {
            reader.disconnect();
        }
        Map<String, long[]> rows = awaitSightings("R2", 2);
        assertThat(rows.get(CLEAN_TAG)).as("CLEAN_TAG: read count, best rssi, first, last")
                .containsExactly(4, -52, t, t + 800);
        assertThat(rows.get(other)).containsExactly(2, -80, t + 100, t + 850);
    }

    static byte[] binaryBatch(long base, long[] tags, int[] offsets, int[] rssi) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(14 + 14 * tags.length);
        b.put((byte) 'T').put((byte) 'W').put((byte) 1).put((byte) 0).putShort((short) tags.length).putLong(base);
        for (int i = 0; i < tags.length; i++) {
            b.putLong(tags[i]).putInt(offsets[i]).put((byte) rssi[i]).put((byte) 1);
        }
        return b.array();
    }

    /** tag → {read_count, best_rssi, first ms, last ms} of a reader's sightings, once {@code n} are stored. */
    private static Map<String, long[]> awaitSightings(String readerId, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            Map<String, long[]> rows = new java.util.HashMap<>();
            try (Connection c = tw.db.connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT tag, read_count, best_rssi, first_seen, last_seen FROM sightings WHERE reader_id = ?")) {
                ps.setString(1, readerId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.put(Long.toHexString(rs.getLong(1)).toUpperCase(), new long[] {rs.getInt(2), rs.getInt(3),
                                rs.getTimestamp(4).getTime(), rs.getTimestamp(5).getTime()});
                    }
                }
            }
            if (rows.size() >= n || System.nanoTime() > deadline) {
                assertThat(rows).hasSize(n);
                return rows;
            }
            Thread.sleep(100);
        }
    }

    @Test
    void wrongSecret_isRefused_311_and_5() throws Exception {
        assertThatThrownBy(() -> reader311("R1", "not-the-secret"))
                .isInstanceOf(MqttException.class)
                .extracting(e -> ((MqttException) e).getReasonCode())
                .isEqualTo((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThatThrownBy(() -> client5("R1", "not-the-secret"))
                .isInstanceOf(org.eclipse.paho.mqttv5.common.MqttException.class)
                .extracting(e -> ((org.eclipse.paho.mqttv5.common.MqttException) e).getReasonCode())
                .isEqualTo(0x86);
        assertThatThrownBy(() -> reader311("NO-SUCH-READER", r1Secret)).isInstanceOf(MqttException.class);
    }

    @Test
    void publishingToAnotherReadersTopic_isRefused() throws Exception {
        MqttAsyncClient c = client5("R1", r1Secret);
        try {
            assertThat(publish5(c, "tags/R2/reads", readsJson(CLEAN_TAG, System.currentTimeMillis(), -50)
                    .getBytes(StandardCharsets.UTF_8))).isEqualTo(0x87);
            // the connection stays usable for the reader's own topic
            assertThat(publish5(c, "tags/R1/reads", readsJson(CLEAN_TAG, System.currentTimeMillis(), -50)
                    .getBytes(StandardCharsets.UTF_8))).isZero();
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
        // 3.1.1 has no refusal code for a PUBLISH: the connection is closed
        MqttClient v3 = reader311("R1", r1Secret);
        try {
            v3.setTimeToWait(5_000);
            assertThatThrownBy(() -> v3.publish("tags/R2/reads", "{\"reads\":[]}".getBytes(StandardCharsets.UTF_8), 1, false))
                    .isInstanceOf(MqttException.class);
            assertThat(v3.isConnected()).isFalse();
        } finally {
            v3.close();
        }
    }

    @Test
    void officer_mayNotPublishReads() throws Exception {
        MqttAsyncClient c = client5("officer1", "officer-password");
        try {
            assertThat(publish5(c, "tags/R1/reads", readsJson(STOLEN_TAG, System.currentTimeMillis(), -50)
                    .getBytes(StandardCharsets.UTF_8))).isEqualTo(0x87);
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }

    @Test
    void malformedJson_andTruncatedBinary_areRefused_whileLaterGoodBatchesAreTaken() throws Exception {
        long readsBefore = tw.engine.ingest().stats().reads();
        MqttAsyncClient c = client5("R1", r1Secret);
        try {
            assertThat(publish5(c, "tags/R1/reads", "{\"reads\": [ {\"tag\": \"A1\"".getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(0x99);
            byte[] truncated = HexFormat.of().parseHex("5457010000010000019acd3e3f7b0000000000000001000000");
            assertThat(publish5(c, "tags/R1/reads", truncated)).isEqualTo(0x99);
            long now = System.currentTimeMillis();
            assertThat(publish5(c, "tags/R1/reads", binaryBatch(now, new long[] {0xC0FFEEL, 0xC0FFEFL},
                    new int[] {0, 10}, new int[] {-60, -61}))).isZero();
            assertThat(publish5(c, "tags/R1/reads", readsJson("C0FFF0", now, -60).getBytes(StandardCharsets.UTF_8))).isZero();
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (tw.engine.ingest().stats().reads() < readsBefore + 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(tw.engine.ingest().stats().reads() - readsBefore).isEqualTo(3);
    }
}
