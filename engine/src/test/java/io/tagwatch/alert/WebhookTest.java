package io.tagwatch.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tagwatch.TestEngine;
import io.tagwatch.TestPublisher;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An operator's endpoint gets each alert, signed; a refusal is retried. */
class WebhookTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "webhook-test-secret-0123";

    @Test
    void alertIsPosted_signedWithTheSharedSecret_andRetriedAfterARefusal() throws Exception {
        BlockingQueue<String[]> got = new LinkedBlockingQueue<>(); // {topic, signature, body}
        AtomicInteger calls = new AtomicInteger();
        HttpServer endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            int n = calls.incrementAndGet();
            if (n == 1) {
                ex.sendResponseHeaders(503, -1); // the endpoint is down the first time
            } else {
                got.add(new String[] {ex.getRequestHeaders().getFirst("X-TagWatch-Topic"),
                        ex.getRequestHeaders().getFirst("X-TagWatch-Signature"), new String(body, StandardCharsets.UTF_8)});
                ex.sendResponseHeaders(204, -1);
            }
            ex.close();
        });
        endpoint.start();
        try (TestEngine tw = TestEngine.start(b -> b
                .webhookUrl("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/hook").webhookSecret(SECRET))) {
            String admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
            String secret = tw.api().createReader(admin, "WH", "docks");
            long v = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "E-WH", "tag", "3E3E", "kind", "ebike",
                    "owner", Map.of("name", "H", "phone", "3"))).body().get("id").asLong();
            tw.call("POST", "/api/vehicles/" + v + "/theft", admin, null);
            TestPublisher.readOnce(tw.broker(), "WH", secret, "3E3E");

            String[] post = got.poll(15, TimeUnit.SECONDS);
            assertThat(post).as("delivered after the retry").isNotNull();
            assertThat(calls.get()).isGreaterThanOrEqualTo(2);
            assertThat(post[0]).isEqualTo("alerts/docks");
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String expected = java.util.HexFormat.of().formatHex(mac.doFinal(post[2].getBytes(StandardCharsets.UTF_8)));
            assertThat(post[1]).as("what the receiver computes with the shared secret").isEqualTo("sha256=" + expected);
            JsonNode alert = JSON.readTree(post[2]);
            assertThat(alert.get("tag").asText()).isEqualTo("3E3E");
            assertThat(alert.get("reader").get("id").asText()).isEqualTo("WH");
        } finally {
            endpoint.stop(0);
        }
    }
}
