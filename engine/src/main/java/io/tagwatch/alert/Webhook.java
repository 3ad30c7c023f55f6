package io.tagwatch.alert;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts to an operator's HTTP endpoint: each is POSTed as JSON with headers
 * {@code X-TagWatch-Topic} and {@code X-TagWatch-Signature: sha256=<hex HMAC-SHA256 of the body
 * with the shared secret>}; any answer but 2xx is retried with back-off (1 s doubling to 60 s),
 * in order. At most {@value #MAX_QUEUED} alerts wait; past that the oldest is dropped, logged and
 * counted — the hits themselves are in the database.
 *
 * <p>{@link #publish} is thread-safe and never blocks; delivery runs on its own thread.
 */
public final class Webhook implements AlertPublisher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Webhook.class);
    static final int MAX_QUEUED = 10_000;

    private record Pending(String topic, byte[] body) {
    }

    private final URI url;
    private final byte[] secret;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final LinkedBlockingDeque<Pending> queue = new LinkedBlockingDeque<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    public Webhook(URI url, String secret) {
        this.url = url;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.thread = new Thread(this::run, "alert-webhook");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void publish(String topic, byte[] payload) {
        queue.addLast(new Pending(topic, payload));
        while (queue.size() > MAX_QUEUED) {
            if (queue.pollFirst() != null) {
                dropped.incrementAndGet();
                log.warn("webhook queue full ({}): oldest alert dropped (the hit is stored)", MAX_QUEUED);
            }
        }
    }

    public long delivered() {
        return delivered.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** HMAC-SHA256 of the body with the secret, as lower-case hex. */
    static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private void run() {
        long backoffMs = 1_000;
        while (running) {
            Pending p;
            try {
                p = queue.pollFirst(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (p == null) {
                continue;
            }
            while (running) {
                String failure;
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .header("X-TagWatch-Topic", p.topic())
                            .header("X-TagWatch-Signature", "sha256=" + sign(secret, p.body()))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(p.body())).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() / 100 == 2) {
                        delivered.incrementAndGet();
                        backoffMs = 1_000;
                        break;
                    }
                    failure = "HTTP " + r.statusCode();
                } catch (java.io.IOException e) {
                    failure = e.toString();
                } catch (InterruptedException e) {
                    return;
                }
                log.warn("webhook {} refused an alert ({}), retrying in {} ms", url, failure, backoffMs);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException e) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 60_000);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
