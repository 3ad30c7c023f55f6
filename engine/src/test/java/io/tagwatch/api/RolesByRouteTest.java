package io.tagwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.TestEngine;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Walks every route in the served OpenAPI document with no token and with a token of every
 * role, and checks the server's answer against the table below (who may call what), written
 * out by hand so that a route whose roles change, or a new route, fails here until someone
 * decides who may use it.
 */
class RolesByRouteTest {
    private static final String ANYONE = "anyone";
    private static final Map<String, String> WHO = new LinkedHashMap<>();

    static {
        WHO.put("GET /health", ANYONE);
        WHO.put("GET /health/ready", ANYONE);
        WHO.put("GET /health/live", ANYONE);
        WHO.put("GET /metrics", ANYONE);
        WHO.put("GET /api/openapi.json", ANYONE);
        WHO.put("POST /api/auth/login", ANYONE);
        WHO.put("POST /api/auth/logout", "owner clerk officer admin");
        WHO.put("GET /api/me", "owner clerk officer admin");
        WHO.put("POST /api/users", "admin");
        WHO.put("GET /api/users", "admin");
        WHO.put("POST /api/owners", "clerk admin");
        WHO.put("POST /api/vehicles", "clerk admin");
        WHO.put("GET /api/vehicles", "clerk officer admin");
        WHO.put("GET /api/vehicles/{id}", "clerk officer admin");
        WHO.put("PUT /api/vehicles/{id}/tag", "clerk admin");
        WHO.put("GET /api/me/vehicles", "owner");
        WHO.put("GET /api/me/vehicles/{id}/theft", "owner");
        WHO.put("POST /api/vehicles/{id}/theft", "owner officer admin");
        WHO.put("POST /api/vehicles/{id}/recovered", "officer admin");
        WHO.put("GET /api/vehicles/{id}/sightings", "officer admin");
        WHO.put("GET /api/me/vehicles/{id}/access-log", "owner");
        WHO.put("GET /api/hits", "officer admin");
        WHO.put("GET /api/hits/{id}", "officer admin");
        WHO.put("POST /api/hits/{id}/ack", "officer admin");
        WHO.put("POST /api/hits/{id}/resolve", "officer admin");
        WHO.put("POST /api/watchlist", "officer admin");
        WHO.put("GET /api/watchlist", "officer admin");
        WHO.put("DELETE /api/watchlist/{id}", "officer admin");
        WHO.put("POST /api/readers", "admin");
        WHO.put("POST /api/readers/{id}/secret", "admin");
        WHO.put("DELETE /api/readers/{id}", "admin");
        WHO.put("GET /api/readers", "officer admin");
        WHO.put("GET /api/readers/{id}/traffic", "officer admin");
        WHO.put("GET /api/alerts/stream", "officer admin");
        WHO.put("GET /console/", ANYONE);
        WHO.put("GET /console/{file}", ANYONE);
        WHO.put("GET /", ANYONE);
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestEngine tw;
    private static final Map<String, String> tokens = new LinkedHashMap<>();

    @BeforeAll
    static void setUp() {
        tw = TestEngine.start(Duration.ofSeconds(30));
        String admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        tokens.put("admin", admin);
        for (String role : List.of("owner", "clerk", "officer")) {
            tokens.put(role, tw.api().userToken(admin, "u-" + role, role, "centre", "+31 6 1000 000" + role.length()));
        }
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    @Test
    void everyRoute_answersEachRoleAndNoToken_asTheTableSays() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(tw.api().rawGet("/api/openapi.json"));
        Set<String> served = new TreeSet<>();
        List<String> wrong = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            for (Iterator<String> methods = p.getValue().fieldNames(); methods.hasNext(); ) {
                String method = methods.next().toUpperCase(java.util.Locale.ROOT);
                String route = method + " " + p.getKey();
                served.add(route);
                String who = WHO.get(route);
                if (who == null) {
                    continue; // reported below as a route missing from the table
                }
                String path = p.getKey().replace("{id}", p.getKey().contains("/hits/")
                        ? "00000000-0000-4000-8000-000000000000" : "1").replace("{file}", "app.js");
                int anonymous = status(method, path, null);
                boolean open = who.equals(ANYONE);
                if (open ? anonymous == 401 || anonymous == 403 : anonymous != 401) {
                    wrong.add(route + " with no token answered " + anonymous);
                }
                for (String role : List.of("owner", "clerk", "officer", "admin")) {
                    String token = route.equals("POST /api/auth/logout") ? fresh(role) : tokens.get(role);
                    int s = status(method, path, token);
                    boolean allowed = open || who.contains(role);
                    if (allowed ? s == 401 || s == 403 : s != 403) {
                        wrong.add(route + " as " + role + " answered " + s + (allowed ? " (allowed)" : " (expected 403)"));
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(served).containsExactlyInAnyOrderElementsOf(WHO.keySet());
    }

    private static String fresh(String role) {
        return role.equals("admin") ? tw.login("admin", TestEngine.ADMIN_PASSWORD) : tw.login("u-" + role, "u-" + role + "-password");
    }

    /** The status only: the body is not read (the alert stream never ends). */
    private static int status(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tw.engine.httpPort() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, method.equals("GET") || method.equals("DELETE") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        r.body().close();
        return r.statusCode();
    }
}
