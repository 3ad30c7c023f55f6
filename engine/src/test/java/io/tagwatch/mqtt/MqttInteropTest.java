package io.tagwatch.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.TestEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients nobody here wrote, used as a reader's firmware and a patrol's console would use
 * them: Mosquitto's {@code mosquitto_pub} / {@code mosquitto_sub} (Debian's mosquitto-clients,
 * installed by .ci/run) over MQTT 3.1.1 and 5.0, and Paho over TLS with a certificate the test
 * makes with openssl.
 */
class MqttInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STOLEN = "C0FFEE01";

    @TempDir
    static Path dir;
    private static TestEngine tw;
    private static String admin;
    private static String secret;

    @BeforeAll
    static void setUp() throws Exception {
        io.tagwatch.RequiredTools.require("mosquitto-clients openssl", "mosquitto_pub", "mosquitto_sub", "openssl");
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"), Duration.ofSeconds(60));
        tw = TestEngine.start(b -> b.dedupWindow(Duration.ofSeconds(1)).tlsCert(cert).tlsKey(key));
        admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        secret = tw.api().createReader(admin, "RM", "docks");
        assertThat(tw.call("POST", "/api/users", admin, Map.of("username", "dockpatrol", "password", "dock-password",
                "role", "officer", "district", "docks")).status()).isEqualTo(201);
        long v = tw.call("POST", "/api/vehicles", admin, Map.of("plate", "E-9", "tag", STOLEN, "kind", "ebike",
                "owner", Map.of("name", "N", "phone", "9"))).body().get("id").asLong();
        assertThat(tw.call("POST", "/api/vehicles/" + v + "/theft", admin, null).status()).isEqualTo(201);
    }

    @AfterAll
    static void tearDown() {
        if (tw != null) {
            tw.close();
        }
    }

    /** Runs a command; returns {exit code, output}. */
    private static Object[] run(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Object[] {p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)};
    }

    private List<String> pub(String version, String... rest) {
        List<String> cmd = new ArrayList<>(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(tw.engine.mqttPort()),
                "-V", version, "-i", "rm-" + System.nanoTime(), "-u", "RM", "-P", secret, "-q", "1"));
        cmd.addAll(List.of(rest));
        return cmd;
    }

    private static void awaitReads(long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (tw.engine.ingest().stats().reads() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void mosquittoPub_jsonAndABinaryBatchFromAFile_overBothVersions() throws Exception {
        long before = tw.engine.ingest().stats().reads();
        String json = "{\"reads\":[{\"tag\":\"1A2B\",\"ts\":" + System.currentTimeMillis() + ",\"rssi\":-61}]}";
        Object[] r1 = run(pub("mqttv311", "-t", "tags/RM/reads", "-m", json), Duration.ofSeconds(20));
        assertThat(r1[0]).as("mosquitto_pub 3.1.1: %s", r1[1]).isEqualTo(0);
        Path bin = dir.resolve("batch.bin");
        Files.write(bin, MqttProtocolTest.batch(0x40_0000, 3));
        Object[] r2 = run(pub("mqttv5", "-t", "tags/RM/reads", "-f", bin.toString()), Duration.ofSeconds(20));
        assertThat(r2[0]).as("mosquitto_pub 5.0: %s", r2[1]).isEqualTo(0);
        awaitReads(before + 4);
        assertThat(tw.engine.ingest().stats().reads() - before).isEqualTo(4);
    }

    @Test
    void mosquittoPub_wrongPassword_isRefused() throws Exception {
        List<String> cmd = pub("mqttv5", "-t", "tags/RM/reads", "-m", "{\"reads\":[]}");
        cmd.set(cmd.indexOf(secret), "wrong");
        Object[] r = run(cmd, Duration.ofSeconds(20));
        assertThat(r[0]).isNotEqualTo(0);
        assertThat((String) r[1]).as("mosquitto reports reason 0x86").contains("Bad User Name or Password");
    }

    @Test
    void mosquittoSub_asAPatrol_receivesTheAlert() throws Exception {
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(tw.engine.mqttPort()),
                "-V", "mqttv311", "-u", "dockpatrol", "-P", "dock-password", "-t", "alerts/docks", "-q", "1", "-C", "1",
                "-W", "20").redirectErrorStream(true).start();
        Thread.sleep(1_000); // subscribed
        String json = "{\"reads\":[{\"tag\":\"" + STOLEN + "\",\"ts\":" + System.currentTimeMillis() + ",\"rssi\":-50}]}";
        assertThat(run(pub("mqttv311", "-t", "tags/RM/reads", "-m", json), Duration.ofSeconds(20))[0]).isEqualTo(0);
        assertThat(sub.waitFor(25, TimeUnit.SECONDS)).isTrue();
        String out = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(sub.exitValue()).as(out).isZero();
        JsonNode alert = JSON.readTree(out);
        assertThat(alert.get("tag").asText()).isEqualTo(STOLEN);
        assertThat(alert.get("reader").get("id").asText()).isEqualTo("RM");
    }

    /** A client's TLS trusting the operator's self-signed certificate. */
    private static SSLContext operatorsTls() throws Exception {
        X509Certificate cert;
        try (var in = Files.newInputStream(dir.resolve("cert.pem"))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("tagwatch", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    /** A patrol's connection changes event loop during its CONNECT: over TLS too, the alert still comes. */
    @Test
    void pahoOverTls_asAPatrol_receivesTheAlert() throws Exception {
        String readerSecret = tw.api().createReader(admin, "RT", "docks");
        java.util.concurrent.BlockingQueue<JsonNode> alerts = new java.util.concurrent.LinkedBlockingQueue<>();
        MqttClient patrol = new MqttClient("ssl://localhost:" + tw.engine.mqtt().tlsPort(), "dock-tls-" + System.nanoTime(),
                new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("dockpatrol");
        o.setPassword("dock-password".toCharArray());
        o.setSocketFactory(operatorsTls().getSocketFactory());
        patrol.connect(o);
        patrol.subscribe("alerts/docks", 1, (topic, m) -> alerts.add(JSON.readTree(m.getPayload())));
        MqttClient reader = new MqttClient("tcp://localhost:" + tw.engine.mqttPort(), "RT-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions r = new MqttConnectOptions();
        r.setUserName("RT");
        r.setPassword(readerSecret.toCharArray());
        reader.connect(r);
        String json = "{\"reads\":[{\"tag\":\"" + STOLEN + "\",\"ts\":" + System.currentTimeMillis() + ",\"rssi\":-50}]}";
        reader.publish("tags/RT/reads", json.getBytes(StandardCharsets.UTF_8), 1, false);
        reader.disconnect();
        reader.close();
        JsonNode alert = alerts.poll(20, TimeUnit.SECONDS);
        patrol.disconnect();
        patrol.close();
        assertThat(alert).as("the alert, over TLS").isNotNull();
        assertThat(alert.get("tag").asText()).isEqualTo(STOLEN);
        assertThat(alert.get("reader").get("id").asText()).isEqualTo("RT");
    }

    @Test
    void pahoOverTls_withTheOperatorsCertificate_publishesReads() throws Exception {
        SSLContext ssl = operatorsTls();
        long before = tw.engine.ingest().stats().reads();
        MqttClient c = new MqttClient("ssl://localhost:" + tw.engine.mqtt().tlsPort(), "RM-tls-" + System.nanoTime(),
                new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("RM");
        o.setPassword(secret.toCharArray());
        o.setSocketFactory(ssl.getSocketFactory());
        c.connect(o);
        c.publish("tags/RM/reads", MqttProtocolTest.batch(0x41_0000, 2), 1, false);
        c.disconnect();
        c.close();
        awaitReads(before + 2);
        assertThat(tw.engine.ingest().stats().reads() - before).isEqualTo(2);
    }
}
