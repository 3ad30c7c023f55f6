package io.tagwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.TestEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** The console's live stream: a stolen vehicle's hit arrives as a Server-Sent Event of the district. */
class AlertStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void officerStream_receivesTheHitsOfItsDistrict_only_andNeedsAToken() throws Exception {
        try (TestEngine tw = TestEngine.start(b -> b.dedupWindow(Duration.ofSeconds(1)))) {
            String admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
            String north = tw.api().createReader(admin, "SN", "north");
            String south = tw.api().createReader(admin, "SS", "south");
            tw.call("POST", "/api/users", admin, Map.of("username", "northdesk", "password", "north-password",
                    "role", "officer", "district", "north"));
            String officer = tw.login("northdesk", "north-password");
            long v = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "E-SSE", "tag", "55E0", "kind", "ebike",
                    "owner", Map.of("name", "T", "phone", "8"))).body().get("id").asLong();
            tw.call("POST", "/api/vehicles/" + v + "/theft", admin, null);

            String base = "http://127.0.0.1:" + tw.engine.httpPort();
            assertThat(tw.call("GET", "/api/alerts/stream?district=north", null, null).status()).isEqualTo(401);

            BlockingQueue<String> data = new LinkedBlockingQueue<>();
            HttpClient http = HttpClient.newHttpClient();
            CompletableFuture<HttpResponse<Stream<String>>> f = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(base + "/api/alerts/stream?district=north"))
                            .header("Authorization", "Bearer " + officer).build(),
                    HttpResponse.BodyHandlers.ofLines());
            HttpResponse<Stream<String>> r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
            Thread reader = new Thread(() -> r.body().filter(l -> l.startsWith("data: ")).forEach(l -> data.add(l.substring(6))));
            reader.setDaemon(true);
            reader.start();
            Thread.sleep(300);

            publish(tw, "SS", south, "55E0"); // south: not this stream's district
            publish(tw, "SN", north, "55E0");
            JsonNode hit = JSON.readTree(data.poll(10, TimeUnit.SECONDS));
            assertThat(hit.get("tag").asText()).isEqualTo("55E0");
            assertThat(hit.get("reader").get("district").asText()).isEqualTo("north");
            assertThat(data.poll(500, TimeUnit.MILLISECONDS)).as("nothing from the south").isNull();
            r.body().close();
        }
    }

    private static void publish(TestEngine tw, String reader, String secret, String tag) throws Exception {
        io.tagwatch.TestPublisher.readOnce(tw.broker(), reader, secret, tag);
    }
}
