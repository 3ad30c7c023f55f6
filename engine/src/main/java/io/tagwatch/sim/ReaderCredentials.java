package io.tagwatch.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where simulated readers get their secrets: a file of {@code readerId secret} lines (blank
 * lines and {@code #} comments ignored), and, for readers the file lacks, provisioning through
 * an engine's API as admin ({@code POST /api/readers}), the new secrets appended to the file so
 * the next run reuses them. Not thread-safe.
 */
public final class ReaderCredentials {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReaderCredentials() {
    }

    /** Reads {@code file}; a malformed line is an error naming the file and line. */
    public static Map<String, String> read(Path file) throws IOException {
        Map<String, String> secrets = new LinkedHashMap<>();
        if (file == null || !Files.exists(file)) {
            return secrets;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected 'readerId secret', got '" + line + "'");
            }
            secrets.put(parts[0], parts[1]);
        }
        return secrets;
    }

    /**
     * Provisions each reader of {@code grid} missing from {@code secrets} through the API at
     * {@code apiBase} (logging in as {@code user}), adds it to {@code secrets} and, when
     * {@code file} is set, appends it there.
     */
    public static void provision(CityGrid grid, Map<String, String> secrets, String apiBase, String user, String password,
                                 Path file) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        JsonNode login = call(http, apiBase, "/api/auth/login", null,
                JSON.createObjectNode().put("username", user).put("password", password));
        String token = login.path("token").asText();
        StringBuilder added = new StringBuilder();
        for (SimReader r : grid.readers()) {
            if (secrets.containsKey(r.id())) {
                continue;
            }
            JsonNode created = call(http, apiBase, "/api/readers", token, JSON.createObjectNode().put("id", r.id())
                    .put("name", r.name()).put("lat", r.lat()).put("lon", r.lon()).put("district", r.district()));
            secrets.put(r.id(), created.path("secret").asText());
            added.append(r.id()).append(' ').append(created.path("secret").asText()).append('\n');
        }
        if (file != null && added.length() > 0) {
            Files.writeString(file, added, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static JsonNode call(HttpClient http, String base, String path, String token, JsonNode body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.replaceAll("/+$", "") + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body()
                    + (r.statusCode() == 409 ? " (the reader exists: give its secret in --credentials)" : ""));
        }
        return JSON.readTree(r.body());
    }
}
