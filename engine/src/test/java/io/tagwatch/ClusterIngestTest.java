package io.tagwatch;

import io.tagwatch.sim.LocalMosquitto;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * Cluster mode against a real broker: a Mosquitto of the test's own and two TagWatch nodes
 * (separate JVMs, {@code serve --ingest ... --shared-group tagwatch}) on one database. A reader
 * publishes a stream of QoS 1 batches to the broker; the two nodes share them; one node is
 * killed with SIGKILL a third of the way through and started again on its data directory.
 * Afterwards every read is in exactly one stored sighting (broker redelivery to the restarted
 * node's persistent session, and the journal's recognition of batches it already had), every
 * stolen tag in the stream raised exactly one hit, and its alert reached the broker (an alert
 * the killed node had not sent yet arrives as the reminder of its hit, which nobody acknowledged).
 */
class ClusterIngestTest {
    static final int BATCHES = CrashRecoveryTest.BATCHES;
    static final int READS = CrashRecoveryTest.READS_PER_BATCH;

    /** The stolen tags: read 3 of every 150th batch (20 of them). */
    static long stolenTag(int b) {
        return 0x5000_0000L + b * 100L + 3;
    }

    static boolean carriesStolen(int b) {
        return b % 150 == 7;
    }

    @Test
    void twoNodes_oneKilledMidStream_everyReadStoredOnce_everyHitRaisedOnce() throws Exception {
        try (LocalMosquitto broker = MosquittoBroker.start()) {
            TestDatabase.Db db = TestDatabase.fresh();
            String[] cluster = {"--ingest", broker.mqttUri(), "--shared-group", "tagwatch", "--dedup-window", "1s",
                    "--checkpoint-interval", "200ms", "--unregistered-hits", "false", "--cloned-hits", "false",
                    "--reminder-interval", "3s"};
            try (EngineProcess a = new EngineProcess(Files.createTempDirectory("tagwatch-node-a"), db, cluster);
                 EngineProcess b = new EngineProcess(Files.createTempDirectory("tagwatch-node-b"), db, cluster)) {
                // Both start at once (Flyway migrates the shared database once, under its lock); B learns
                // the reader and the stolen list from A's changes (registry reload, LISTEN/NOTIFY).
                java.util.concurrent.CompletableFuture<Void> bStarted = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        b.start();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                a.start();
                ApiClient api = new ApiClient(a.baseUrl());
                String admin = api.login("admin", TestEngine.ADMIN_PASSWORD);
                api.createReader(admin, "RB", "north"); // at the broker the reader is anonymous; its id is the topic's
                Set<String> stolen = new java.util.TreeSet<>();
                for (int n = 0; n < BATCHES; n++) {
                    if (carriesStolen(n)) {
                        String tag = Long.toHexString(stolenTag(n)).toUpperCase();
                        api.reportTheft(admin, api.registerVehicle(admin, "S-" + n, tag));
                        stolen.add(tag);
                    }
                }
                bStarted.get(90, TimeUnit.SECONDS);
                long listed = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (metric(b, "tagwatch_hotlist_stolen_size") < stolen.size() && System.nanoTime() < listed) {
                    Thread.sleep(50);
                }
                assertThat(metric(b, "tagwatch_hotlist_stolen_size")).as("node B's stolen list, in step with A's")
                        .isEqualTo(stolen.size());

                List<String> alerts = new CopyOnWriteArrayList<>();
                MqttClient patrol = new MqttClient(broker.uri(), "patrol-north", new MemoryPersistence());
                patrol.connect();
                patrol.subscribe("alerts/north", 1, (topic, m) -> alerts.add(new String(m.getPayload(), StandardCharsets.UTF_8)));

                Set<Integer> acked = ConcurrentHashMap.newKeySet();
                MqttAsyncClient reader = readerClient(broker);
                for (int n = 0; n < BATCHES; n++) {
                    if (n == BATCHES / 3) {
                        a.kill9();
                    }
                    publish(reader, n, acked);
                    if (n % 50 == 0) {
                        Thread.sleep(20);
                    }
                }
                // Bad input at the broker: a reader nobody provisioned, and a payload that is no batch.
                TestPublisher.publishTracked(reader, "tags/NOBODY/reads", CrashRecoveryTest.payload(0), -1, acked);
                TestPublisher.publishTracked(reader, "tags/RB/reads", "not a batch".getBytes(StandardCharsets.UTF_8), -2, acked);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (acked.size() < BATCHES + 2 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(acked).as("every batch taken by the broker").hasSize(BATCHES + 2);
                CrashRecoveryTest.closeQuietly(reader);
                a.start(); // same data directory: same node id, same broker session

                Map<Long, long[]> sightings = CrashRecoveryTest.awaitSightings(db, BATCHES * READS);
                String context = "engine logs " + a.logFile() + " " + b.logFile() + ", broker log " + broker.logFile();
                CrashRecoveryTest.assertEveryReadStoredOnce(sightings, context);
                CrashRecoveryTest.assertTrafficMatchesSightings(db, context);
                assertThat(stolenHits(db)).as("hits per stolen tag (%s)", context)
                        .isEqualTo(stolen.stream().collect(java.util.stream.Collectors.toMap(t -> t, t -> 1L)));
                awaitAlerts(alerts, stolen);
                assertThat(acceptedReads(b)).as("node B took part of the stream, not all of it")
                        .isPositive().isLessThan(BATCHES * READS);
                assertThat(acceptedReads(a)).as("the restarted node A took what the broker kept for it").isPositive();
                assertThat(metric(a, "tagwatch_broker_refusals_total{reason=\"unknown_reader\"}")
                        + metric(b, "tagwatch_broker_refusals_total{reason=\"unknown_reader\"}")).as("unknown reader refused").isEqualTo(1);
                assertThat(metric(a, "tagwatch_broker_refusals_total{reason=\"payload_invalid\"}")
                        + metric(b, "tagwatch_broker_refusals_total{reason=\"payload_invalid\"}")).as("bad payload refused").isEqualTo(1);
                patrol.disconnect();
                patrol.close();
                a.stop();
                b.stop();
            }
        }
    }

    /**
     * With its journal at the cap a node keeps the broker's batches unacknowledged (back-pressure,
     * counted) instead of dropping them; stopped and started again on its data directory with
     * room, it is sent them again and every read is stored once.
     */
    @Test
    void journalAtItsCap_holdsBrokerBatchesUnacknowledged_andTheyArriveAfterARestart() throws Exception {
        int batches = 300; // far past the 8 KiB cap, which appends already queued may overshoot
        try (LocalMosquitto broker = MosquittoBroker.start()) {
            TestDatabase.Db db = TestDatabase.fresh();
            java.nio.file.Path dir = Files.createTempDirectory("tagwatch-node");
            try (TestEngine full = TestEngine.start(db, c -> c.dataDir(dir).ingestUrl(broker.mqttUri())
                    .journalSegmentBytes(4096).journalCapBytes(8192).checkpointInterval(java.time.Duration.ofHours(1))
                    .unregisteredHits(false))) { // no sighting closes, no checkpoint frees the journal
                full.api().createReader(full.login("admin", TestEngine.ADMIN_PASSWORD), "RB", "north");
                Set<Integer> acked = ConcurrentHashMap.newKeySet();
                MqttAsyncClient reader = readerClient(broker);
                for (int n = 0; n < batches; n++) {
                    publish(reader, n, acked);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                String held = "tagwatch_broker_backpressure_total{reason=\"journal_full\"}";
                while (metric(full.api(), held) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(metric(full.api(), held)).as("batches held at the journal's cap").isPositive();
                assertThat(metric(full.api(), "tagwatch_broker_inflight")).as("held unacknowledged").isPositive();
                CrashRecoveryTest.closeQuietly(reader);
            }
            try (TestEngine roomy = TestEngine.start(db, c -> c.dataDir(dir).ingestUrl(broker.mqttUri())
                    .dedupWindow(java.time.Duration.ofSeconds(1)).unregisteredHits(false))) {
                Map<Long, long[]> sightings = CrashRecoveryTest.awaitSightings(db, batches * READS);
                assertThat(sightings).as("reads of the %d batches", batches).hasSize(batches * READS);
                assertThat(sightings.values()).allSatisfy(s -> assertThat(s).containsExactly(1, 1));
            }
        }
    }

    private static MqttAsyncClient readerClient(LocalMosquitto broker) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(broker.uri(), "RB", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMaxInflight(200);
        c.connect(o).waitForCompletion(10_000);
        return c;
    }

    private static void publish(MqttAsyncClient c, int n, Set<Integer> acked) throws Exception {
        while (true) {
            try {
                TestPublisher.publishTracked(c, "tags/RB/reads", CrashRecoveryTest.payload(n), n, acked);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
                    throw e;
                }
                Thread.sleep(2);
            }
        }
    }

    /** Stored stolen-list hits, as tag (hex) → how many. */
    private static Map<String, Long> stolenHits(TestDatabase.Db db) throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT tag, count(*) FROM hits WHERE list_kind = 'stolen' GROUP BY tag")) {
            while (rs.next()) {
                out.put(Long.toHexString(rs.getLong(1)).toUpperCase(), rs.getLong(2));
            }
        }
        return out;
    }

    /** Waits (up to 20 s) until an alert about each stolen tag came through the broker. */
    private static void awaitAlerts(List<String> alerts, Set<String> stolen) throws InterruptedException {
        Pattern tag = Pattern.compile("\"tag\":\"([0-9A-F]+)\"");
        Set<String> seen = new java.util.TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            seen.clear();
            for (String a : alerts) {
                Matcher m = tag.matcher(a);
                if (m.find()) {
                    seen.add(m.group(1));
                }
            }
            if (seen.containsAll(stolen)) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(seen).as("stolen tags alerted on the broker's alerts/north").containsAll(stolen);
    }

    private static double acceptedReads(EngineProcess node) {
        return metric(node, "tagwatch_reads_total{outcome=\"accepted\"}");
    }

    private static double metric(EngineProcess node, String series) {
        return metric(new ApiClient(node.baseUrl()), series);
    }

    /** One series' value in the node's /metrics (0 when absent). */
    private static double metric(ApiClient node, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(node.rawGet("/metrics"));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
