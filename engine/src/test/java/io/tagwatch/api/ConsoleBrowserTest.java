package io.tagwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.RequiredTools;
import io.tagwatch.TestEngine;
import io.tagwatch.TestPublisher;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web console in a real browser: Playwright ({@code src/test/browser}, npm playwright-core)
 * drives Debian's Chromium headless against an engine. Screenshots land in
 * {@code target/console-screenshots}. Skipped (failed under CI) without chromium or node.
 */
@org.junit.jupiter.api.Timeout(value = 4, unit = TimeUnit.MINUTES)
class ConsoleBrowserTest {
    private static final Path SCRIPTS = Path.of("src/test/browser");
    private static final String XSS = "<script>alert(1)</script>";
    private static TestEngine tw;
    private static String admin;
    private static String eastSecret;
    private static MqttClient onlineReader;
    private static long officerVehicle;

    @BeforeAll
    static void setUp() throws Exception {
        RequiredTools.require("chromium nodejs npm", "chromium", "node", "npm");
        installPlaywright();
        tw = TestEngine.start(b -> b.dedupWindow(Duration.ofMillis(300)));
        admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        String westSecret = reader("WEST", "Junction West", 52.370, 4.880);
        eastSecret = reader("EAST", "Junction East", 52.372, 4.905);
        reader("NEVER", "<img src=x onerror=alert(3)>", 52.360, 4.895);
        for (int i = 0; i < 36; i++) { // a city's grid: too many readers for labels on the map
            reader(String.format("G%02d", i), "Pole " + i, 52.355 + (i / 6) * 0.004, 4.870 + (i % 6) * 0.008);
        }
        tw.api().userToken(admin, "officer1", "officer", "centre", null);
        tw.api().userToken(admin, "clerk1", "clerk", null, null);
        vehicle("OWN-1", "0D1", "+31 6 7000 0001", "Yadea");
        vehicle(XSS + " 2", "0D2", "+31 6 7000 0002", "<img src=x onerror=alert(2)>"); // a plate is unique
        officerVehicle = vehicle(XSS, "0D3", "+31 6 7000 0003", "Niu");
        // owners' accounts join the owners the clerk registered (by phone)
        tw.api().userToken(admin, "owner1", "owner", null, "+31 6 7000 0001");
        tw.api().userToken(admin, "owner2", "owner", null, "+31 6 7000 0002");
        // an earlier pass at WEST (the hit's track), then the theft
        TestPublisher.readOnce(tw.broker(), "WEST", westSecret, "0D3");
        tw.awaitSighting("0D3");
        assertThat(tw.call("POST", "/api/vehicles/" + officerVehicle + "/theft", admin, null).status()).isEqualTo(201);
        onlineReader = new MqttClient(tw.broker(), "WEST-online", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("WEST");
        o.setPassword(westSecret.toCharArray());
        onlineReader.connect(o);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (onlineReader != null) {
            onlineReader.disconnect();
            onlineReader.close();
        }
        if (tw != null) {
            tw.close();
        }
    }

    @Test
    void officer_seesAHitAppearLive_onTheMap_acknowledgesAndResolvesIt() throws Exception {
        run("officer", Map.of("OFFICER_USER", "officer1", "OFFICER_PASSWORD", "officer1-password"));
        try (Connection c = tw.db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT h.status, u.username, h.resolution FROM hits h "
                     + "JOIN users u ON u.id = h.acknowledged_by "
                     + "WHERE h.vehicle_id = " + officerVehicle + " AND h.reader_id = 'EAST'")) {
            assertThat(rs.next()).as("the hit at EAST was acknowledged").isTrue();
            assertThat(rs.getString(1)).isEqualTo("resolved");
            assertThat(rs.getString(2)).isEqualTo("officer1");
            assertThat(rs.getString(3)).isEqualTo("false_alarm");
        }
    }

    @Test
    void owner_reportsATheftAfterConfirming_andSeesItOpen_clerkFindsItStolen_andCannotTakeItsPlate() throws Exception {
        run("owner", Map.of("OWNER_USER", "owner1", "OWNER_PASSWORD", "owner1-password", "OWNER_PLATE", "OWN-1",
                "CLERK_USER", "clerk1", "CLERK_PASSWORD", "clerk1-password"));
        String owner = tw.login("owner1", "owner1-password");
        JsonNode mine = tw.call("GET", "/api/me/vehicles", owner, null).body().get("items").get(0);
        assertThat(mine.get("stolen").asBoolean()).isTrue();
    }

    @Test
    void typedText_showsAsText_neverAsMarkup() throws Exception {
        run("xss", Map.of("OWNER_USER", "owner2", "OWNER_PASSWORD", "owner2-password",
                "ADMIN_USER", "admin", "ADMIN_PASSWORD", TestEngine.ADMIN_PASSWORD, "XSS_READER", "NEVER",
                "XSS_PLATE", XSS + " 2"));
    }

    private static String reader(String id, String name, double lat, double lon) {
        TestEngine.Answer a = tw.call("POST", "/api/readers", admin,
                Map.of("id", id, "name", name, "lat", lat, "lon", lon, "district", "centre"));
        assertThat(a.status()).isEqualTo(201);
        return a.body().get("secret").asText();
    }

    private static long vehicle(String plate, String tag, String phone, String brand) {
        TestEngine.Answer a = tw.call("POST", "/api/vehicles", admin, Map.of("plate", plate, "tag", tag, "kind", "ebike",
                "brand", brand, "owner", Map.of("name", "Owner " + phone, "phone", phone)));
        assertThat(a.status()).isEqualTo(201);
        return a.body().get("id").asLong();
    }

    /** Installs playwright-core from package-lock.json when .ci/run has not (npm ci). */
    private static void installPlaywright() throws Exception {
        if (Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core"))) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(SCRIPTS.toFile())
                .redirectErrorStream(true).redirectOutput(new File("target/npm-ci.log")).start();
        assertThat(npm.waitFor(300, TimeUnit.SECONDS) && npm.exitValue() == 0)
                .as("npm ci in " + SCRIPTS + " (see target/npm-ci.log)").isTrue();
    }

    /**
     * Runs one scenario of console.mjs; when it prints PUBLISH, a reader (EAST) reads the
     * stolen tag and the script is told PUBLISHED. Fails with the script's output unless it ends OK.
     */
    private static void run(String scenario, Map<String, String> accounts) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", "console.mjs", scenario).directory(SCRIPTS.toFile())
                .redirectError(new File("target/console-" + scenario + ".stderr.log"));
        pb.environment().putAll(accounts);
        pb.environment().put("TAGWATCH_URL", "http://127.0.0.1:" + tw.engine.httpPort());
        pb.environment().put("CHROMIUM", RequiredTools.find("chromium").toString());
        pb.environment().put("SCREENSHOT_DIR", Path.of("target/console-screenshots").toAbsolutePath().toString());
        Process p = pb.start();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             Writer w = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                out.add(line);
                if (line.equals("PUBLISH")) {
                    TestPublisher.readOnce(tw.broker(), "EAST", eastSecret, "0D3");
                    w.write("PUBLISHED\n");
                    w.flush();
                }
            }
        } finally {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        String stderr = Files.readString(Path.of("target/console-" + scenario + ".stderr.log"));
        assertThat(out).as("console.mjs " + scenario + "\nstdout: " + out + "\nstderr: " + stderr).contains("OK " + scenario);
        assertThat(p.exitValue()).isZero();
    }
}
