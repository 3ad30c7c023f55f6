package io.tagwatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A JSON client of the engine's HTTP API, as an operator's script would use it. */
public final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String base;

    public ApiClient(String base) {
        this.base = base;
    }

    public TestEngine.Answer call(String method, String path, String token, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            byte[] bytes = body == null ? new byte[0]
                    : body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(body);
            b.header("Content-Type", "application/json");
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
            HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode n = r.body().length == 0 ? null : JSON.readTree(r.body());
            return new TestEngine.Answer(r.statusCode(), n);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET of a non-JSON resource (such as /metrics), as text. */
    public String rawGet(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String login(String username, String password) {
        TestEngine.Answer a = call("POST", "/api/auth/login", null, Map.of("username", username, "password", password));
        if (a.status() != 200) {
            throw new AssertionError("login " + username + " answered " + a.status() + " " + a.body());
        }
        return a.body().get("token").asText();
    }

    /**
     * Creates an account (as admin) with password {@code name + "-password"} and returns a
     * token of it; {@code district} (officers) and {@code phone} (owners) may be null.
     */
    public String userToken(String adminToken, String name, String role, String district, String phone) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(
                Map.of("username", name, "password", name + "-password", "role", role));
        if (district != null) {
            body.put("district", district);
        }
        if (phone != null) {
            body.put("phone", phone);
        }
        TestEngine.Answer a = call("POST", "/api/users", adminToken, body);
        if (a.status() != 201) {
            throw new AssertionError("create user " + name + " answered " + a.status() + " " + a.body());
        }
        return login(name, name + "-password");
    }

    /** Provisions a reader and returns its secret. */
    public String createReader(String token, String id, String district) {
        TestEngine.Answer a = call("POST", "/api/readers", token,
                Map.of("id", id, "name", "Junction " + id, "lat", 52.37, "lon", 4.89, "district", district));
        if (a.status() != 201) {
            throw new AssertionError("create reader " + id + " answered " + a.status() + " " + a.body());
        }
        return a.body().get("secret").asText();
    }

    /** Registers an e-bike carrying {@code tag} (hex) and returns the vehicle's id. */
    public long registerVehicle(String token, String plate, String tag) {
        TestEngine.Answer a = call("POST", "/api/vehicles", token, Map.of("plate", plate, "tag", tag,
                "kind", "ebike", "brand", "Yadea", "color", "red", "owner", Map.of("name", "Ann", "phone", "+31600000001")));
        if (a.status() != 201) {
            throw new AssertionError("register vehicle " + plate + " answered " + a.status() + " " + a.body());
        }
        return a.body().get("id").asLong();
    }

    /** Reports the vehicle stolen. */
    public void reportTheft(String token, long vehicleId) {
        TestEngine.Answer a = call("POST", "/api/vehicles/" + vehicleId + "/theft", token, null);
        if (a.status() != 201) {
            throw new AssertionError("theft of vehicle " + vehicleId + " answered " + a.status() + " " + a.body());
        }
    }
}
