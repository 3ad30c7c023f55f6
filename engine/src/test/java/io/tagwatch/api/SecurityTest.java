package io.tagwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.TestEngine;
import io.tagwatch.TestEngine.Answer;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hostile input: SQL in every text field, paths that climb out of the console, big bodies, other origins. */
class SecurityTest {
    /** Classic injections, quote and comment games, LIKE wildcards, a NUL-free mix of Unicode. */
    private static final List<String> NASTY = List.of(
            "' OR '1'='1",
            "x'; DROP TABLE vehicles; --",
            "\\'); DELETE FROM users; --",
            "\" OR \"\"=\"",
            "1; UPDATE users SET role='admin' --",
            "%_%",
            "$$; SELECT pg_sleep(5); $$",
            "<script>alert(1)</script>",
            "Ünïcödé ✓ 车牌 ' --");

    private static TestEngine tw;
    private static String admin;
    private static String clerk;
    private static String officer;

    @BeforeAll
    static void setUp() {
        tw = TestEngine.start(Duration.ofSeconds(30));
        admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        clerk = tw.api().userToken(admin, "sec-clerk", "clerk", null, null);
        officer = tw.api().userToken(admin, "sec-officer", "officer", "centre", null);
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    @Test
    void sqlInEveryTextField_isStoredAsText_andHarmsNothing() throws Exception {
        int n = 0;
        for (String s : NASTY) {
            n++;
            String tag = "5EC" + n;
            String phone = s + " phone";
            Answer v = tw.call("POST", "/api/vehicles", clerk, Map.of("plate", s, "tag", tag, "kind", "ebike", "brand", s,
                    "color", s, "owner", Map.of("name", s, "phone", phone)));
            assertThat(v.status()).as(s).isEqualTo(201);
            JsonNode body = v.body();
            assertThat(List.of(body.get("plate").asText(), body.get("brand").asText(), body.get("color").asText(),
                    body.get("owner").get("name").asText())).as(s).containsOnly(s);
            assertThat(body.get("owner").get("phone").asText()).isEqualTo(phone);

            JsonNode byPlate = tw.call("GET", "/api/vehicles?plate=" + q(s), clerk, null).body().get("items");
            assertThat(byPlate).as("search by plate " + s).hasSize(1);
            assertThat(byPlate.get(0).get("plate").asText()).isEqualTo(s);
            assertThat(tw.call("GET", "/api/vehicles?phone=" + q(phone), clerk, null).body().get("items")).hasSize(1);
            assertThat(tw.call("GET", "/api/hits?district=" + q(s), officer, null).status()).isEqualTo(200);

            assertThat(tw.call("POST", "/api/owners", clerk, Map.of("name", s, "phone", s + " owner")).status()).isEqualTo(201);
            Answer reader = tw.call("POST", "/api/readers", admin, Map.of("id", "SEC" + n, "name", s, "lat", 1, "lon", 2,
                    "district", s));
            assertThat(reader.status()).isEqualTo(201);
            Answer watch = tw.call("POST", "/api/watchlist", officer, Map.of("vehicleId", body.get("id").asLong(),
                    "reason", s, "district", s, "expiresAt", Instant.now().plusSeconds(3600).toString()));
            assertThat(watch.status()).isEqualTo(201);
            assertThat(watch.body().get("reason").asText()).isEqualTo(s);

            Answer user = tw.call("POST", "/api/users", admin, Map.of("username", s, "password", s + s, "role", "clerk"));
            assertThat(user.status()).as("username " + s).isEqualTo(400);
            assertThat(user.body().get("field").asText()).isEqualTo("username");
            assertThat(tw.call("POST", "/api/auth/login", null, Map.of("username", s, "password", s)).status())
                    .isEqualTo(401);
        }
        try (Connection c = tw.db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM vehicles), (SELECT count(*) FROM users), "
                     + "(SELECT count(*) FROM users WHERE role = 'admin')")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(NASTY.size());
            assertThat(rs.getInt(2)).isEqualTo(3);
            assertThat(rs.getInt(3)).isEqualTo(1);
        }
        JsonNode readers = tw.call("GET", "/api/readers", admin, null).body().get("items");
        assertThat(readers.findValuesAsText("name")).containsAll(NASTY);
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void pathsThatClimbOutOfTheConsole_are404() throws Exception {
        assertThat(raw("GET /console/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
        for (String path : List.of("/console/../../../../etc/passwd", "/console/..%2f..%2f..%2fetc%2fpasswd",
                "/console/%2e%2e/%2e%2e/pom.xml", "/console/..%5c..%5cpom.xml", "/console/app.js%00.html",
                "/console/../io/tagwatch/api/openapi-operations.json", "/console/%2e%2e%2fio%2ftagwatch%2fEngine.class",
                "/console//etc/passwd", "/console/logback.xml", "/../../etc/passwd")) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 404");
            assertThat(answer).as(path).doesNotContain("root:").doesNotContain("<configuration").doesNotContain("\"operations\"");
        }
    }

    @Test
    void oversizedChunkedBody_is413_withoutAContentLength() throws Exception {
        StringBuilder req = new StringBuilder("POST /api/owners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + clerk
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        String chunk = "a".repeat(16 * 1024);
        for (int i = 0; i < 6; i++) {
            req.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        req.append("0\r\n\r\n");
        String answer = raw(req.toString());
        assertThat(answer).startsWith("HTTP/1.1 413").contains("payload_too_large");
        // said before closing: a client that pooled the connection sent its next request into a closed socket
        assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
    }

    @Test
    void oversizedBodyAnnouncedWithExpectContinue_is413_beforeItIsSent() throws Exception {
        String answer = raw("POST /api/owners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + clerk
                + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nConnection: close\r\nContent-Length: "
                + (HttpApiServer.MAX_BODY_BYTES + 1) + "\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 413").contains("payload_too_large");
    }

    @Test
    void corsIsClosed_noAllowOriginForAnyOrigin_andPreflightRefused() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + tw.engine.httpPort();
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base + "/api/hits"))
                .header("Origin", "http://evil.example").header("Authorization", "Bearer " + officer).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create(base + "/api/vehicles"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://evil.example").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(405);
        assertThat(preflight.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
    }

    /** Sends bytes exactly as written (no client normalises the path) and reads until the server closes. */
    private static String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", tw.engine.httpPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            try {
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.SocketException e) {
                return "closed: " + e.getMessage();
            }
        }
    }
}
