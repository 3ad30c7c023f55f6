package io.tagwatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * kill -9: an engine in its own JVM takes QoS 1 batches of known reads from a Paho publisher
 * and is killed with SIGKILL at a random moment, then started again; the publisher resends
 * whatever was not acknowledged. Afterwards every acknowledged read is in exactly one stored
 * sighting, and no read is counted twice. Runs {@code tagwatch.crashRuns} times (default 2;
 * set it higher to hunt for rare interleavings).
 */
class CrashRecoveryTest {
    static final int BATCHES = 3_000;
    static final int READS_PER_BATCH = 10;
    static final long BASE_TIME = System.currentTimeMillis() - 60_000;

    @Test
    void killNine_atARandomMoment_losesNoAcknowledgedRead_andCountsNoneTwice() throws Exception {
        int runs = Integer.getInteger("tagwatch.crashRuns", 2);
        long seed = Long.getLong("tagwatch.crashSeed", System.nanoTime());
        Random random = new Random(seed);
        for (int run = 0; run < runs; run++) {
            oneRun(random, seed, run);
        }
    }

    /**
     * The default deployment, the embedded database in the data directory: PostgreSQL outlives the
     * killed JVM, and the next start on the directory failed ("cannot start embedded PostgreSQL")
     * until an operator found and stopped the old postmaster (a new user's walk-through).
     */
    @Test
    void killNine_withTheEmbeddedDatabase_startsAgainOnItsDataDir_withWhatItAcknowledged() throws Exception {
        Path dataDir = Files.createTempDirectory("tagwatch-crash-embedded");
        try (EngineProcess engine = new EngineProcess(dataDir, null, "--unregistered-hits", "false")) {
            engine.start();
            ApiClient api = new ApiClient(engine.baseUrl());
            String admin = api.login("admin", TestEngine.ADMIN_PASSWORD);
            String secret = api.createReader(admin, "RE", "centre");
            long vehicle = api.registerVehicle(admin, "E-KILL", "5E5E01");
            api.reportTheft(admin, vehicle);
            TestPublisher.readOnce(engine.broker(), "RE", secret, "5E5E01"); // returns once acknowledged
            engine.kill9();
            long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).trim());
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive))
                    .as("the killed engine's PostgreSQL, still running").contains(true);

            engine.start();
            api = new ApiClient(engine.baseUrl());
            admin = api.login("admin", TestEngine.ADMIN_PASSWORD);
            assertThat(api.call("GET", "/api/vehicles/" + vehicle, admin, null).status()).isEqualTo(200);
            // The acknowledged read's hit: stored before the kill, or raised again from the journal.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int hits = 0;
            while (hits == 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                hits = api.call("GET", "/api/hits?list=stolen", admin, null).body().get("items").size();
            }
            assertThat(hits).as("hits of the read acknowledged before the kill; engine log " + engine.logFile()).isEqualTo(1);
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
                    .as("the old postmaster, stopped").isFalse();
            assertThat(engine.stop()).as("exit status of an orderly stop (SIGTERM)").isIn(0, 143);
        }
    }

    /** Batch b carries tags b*100 .. b*100+9, each read once: every read is its own sighting. */
    static byte[] payload(int b) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(14 + 14 * READS_PER_BATCH);
        buf.put((byte) 'T').put((byte) 'W').put((byte) 1).put((byte) 0).putShort((short) READS_PER_BATCH)
                .putLong(BASE_TIME + b * 10L);
        for (int i = 0; i < READS_PER_BATCH; i++) {
            buf.putLong(0x5000_0000L + b * 100L + i).putInt(i).put((byte) -60).put((byte) 1);
        }
        return buf.array();
    }

    private void oneRun(Random random, long seed, int run) throws Exception {
        TestDatabase.Db db = TestDatabase.fresh();
        Path dataDir = Files.createTempDirectory("tagwatch-crash");
        try (EngineProcess engine = new EngineProcess(dataDir, db, "--dedup-window", "1s", "--checkpoint-interval", "200ms",
                "--unregistered-hits", "false")) {
            engine.start();
            ApiClient api = new ApiClient(engine.baseUrl());
            String secret = api.createReader(api.login("admin", TestEngine.ADMIN_PASSWORD), "RC", "centre");

            Set<Integer> acked = ConcurrentHashMap.newKeySet();
            long killAfterMs = 300 + random.nextInt(2_500);
            MqttAsyncClient publisher = connect(engine, secret);
            long start = System.nanoTime();
            int sent = 0;
            while (sent < BATCHES && System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(killAfterMs)) {
                publish(publisher, sent, acked);
                sent++;
                if (sent % 50 == 0) {
                    Thread.sleep(5);
                }
            }
            engine.kill9();
            closeQuietly(publisher);
            int ackedBeforeKill = acked.size();

            engine.start();
            MqttAsyncClient again = connect(engine, secret);
            for (int b = 0; b < BATCHES; b++) {
                if (!acked.contains(b)) {
                    publish(again, b, acked);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acked.size() < BATCHES && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(acked).as("every batch acknowledged in the end").hasSize(BATCHES);
            closeQuietly(again);

            Map<Long, long[]> sightings = awaitSightings(db, BATCHES * READS_PER_BATCH);
            String context = "seed=" + seed + " run=" + run + " killed after " + killAfterMs + " ms with "
                    + ackedBeforeKill + " of " + sent + " sent batches acknowledged; engine log " + engine.logFile();
            assertEveryReadStoredOnce(sightings, context);
            assertTrafficMatchesSightings(db, context);
            engine.stop();
        }
    }

    private static MqttAsyncClient connect(EngineProcess engine, String secret) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(engine.broker(), "RC-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("RC");
        o.setPassword(secret.toCharArray());
        o.setMaxInflight(200);
        o.setCleanSession(true);
        c.connect(o).waitForCompletion(10_000);
        return c;
    }

    private static void publish(MqttAsyncClient c, int b, Set<Integer> acked) throws MqttException, InterruptedException {
        while (true) {
            try {
                TestPublisher.publishTracked(c, "tags/RC/reads", payload(b), b, acked);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
                    if (!c.isConnected()) {
                        return; // the engine is gone; this batch stays unacknowledged and is resent
                    }
                    throw e;
                }
                Thread.sleep(2);
            }
        }
    }

    /** Every read of every {@link #payload} batch is in exactly one sighting, counted once. */
    static void assertEveryReadStoredOnce(Map<Long, long[]> sightings, String context) {
        assertThat(sightings).as(context).hasSize(BATCHES * READS_PER_BATCH);
        for (int b = 0; b < BATCHES; b++) {
            for (int i = 0; i < READS_PER_BATCH; i++) {
                long[] s = sightings.get(0x5000_0000L + b * 100L + i);
                assertThat(s).as("read %d of batch %d (%s)", i, b, context).isNotNull();
                assertThat(s[0]).as("sightings of read %d of batch %d (%s)", i, b, context).isEqualTo(1);
                assertThat(s[1]).as("read count of read %d of batch %d (%s)", i, b, context).isEqualTo(1);
            }
        }
    }

    /**
     * The readers' traffic counts (added by the writer in each sighting transaction) agree with
     * the stored sightings: per reader and hour, the same sightings and reads, replays included.
     */
    static void assertTrafficMatchesSightings(TestDatabase.Db db, String context) throws Exception {
        String fromSightings = "SELECT reader_id, date_bin('1 hour', first_seen, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS hour, count(*)::int AS sightings, "
                + "sum(read_count)::bigint AS reads FROM sightings GROUP BY 1, 2";
        String traffic = "SELECT reader_id, hour, sightings, reads FROM reader_traffic";
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM reader_traffic), "
                     + "(SELECT count(*) FROM ((" + fromSightings + ") EXCEPT (" + traffic + ")) a), "
                     + "(SELECT count(*) FROM ((" + traffic + ") EXCEPT (" + fromSightings + ")) b)")) {
            rs.next();
            assertThat(rs.getLong(1)).as("reader traffic rows (%s)", context).isPositive();
            assertThat(rs.getLong(2)).as("hours of sightings not in reader_traffic as counted (%s)", context).isZero();
            assertThat(rs.getLong(3)).as("reader_traffic rows not matching the sightings (%s)", context).isZero();
        }
    }

    static void closeQuietly(MqttAsyncClient c) {
        try {
            if (c.isConnected()) {
                c.disconnect().waitForCompletion(2_000);
            }
        } catch (MqttException e) {
            // gone with the engine
        }
        try {
            c.close(true);
        } catch (MqttException e) {
            // nothing to release
        }
    }

    /** tag → {sightings, total read count}, once the expected number of tags is stored (or 60 s passed). */
    static Map<Long, long[]> awaitSightings(TestDatabase.Db db, int tags) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Map<Long, long[]> out = new HashMap<>();
            try (Connection c = db.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT tag, count(*), sum(read_count) FROM sightings GROUP BY tag")) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
            if (out.size() >= tags || System.nanoTime() > deadline) {
                Thread.sleep(1_500); // let anything extra (a duplicate) arrive too
                try (Connection c = db.connect(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT tag, count(*), sum(read_count) FROM sightings GROUP BY tag")) {
                    out.clear();
                    while (rs.next()) {
                        out.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)});
                    }
                }
                return out;
            }
            Thread.sleep(200);
        }
    }
}
