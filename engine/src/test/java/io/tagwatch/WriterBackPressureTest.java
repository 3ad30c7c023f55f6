package io.tagwatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.read.ReadPayloadEncoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sighting writer's backlog in the heap has a cap: with the database down and the backlog
 * at it, reads are refused (0x97, as with a full journal) instead of filling the heap, and once
 * the database is back they are taken again — every read acknowledged stored exactly once.
 */
class WriterBackPressureTest {
    private static final int READS = 10;

    @Test
    void writerBacklogAtItsCap_refusesReadsUntilTheDatabaseCatchesUp_andLosesNothingAcknowledged() throws Exception {
        try (StoppablePostgres pg = new StoppablePostgres()) {
            TestDatabase.Db db = pg.createDatabase("backpressure");
            try (TestEngine tw = TestEngine.start(db, b -> b.dedupWindow(Duration.ofMillis(200)).unregisteredHits(false)
                    .checkpointInterval(Duration.ofMillis(100)).writerMaxPendingRows(50))) {
                String secret = tw.api().createReader(tw.login("admin", TestEngine.ADMIN_PASSWORD), "RW", "centre");
                Mqtt5Reader c = new Mqtt5Reader(tw.broker(), "RW", secret);

                pg.stop();
                List<Integer> accepted = new ArrayList<>();
                int refusedAt = -1;
                for (int i = 0; i < 100 && refusedAt < 0; i++) {
                    int reason = publish(c, i);
                    if (reason == 0x97) {
                        refusedAt = i;
                    } else {
                        assertThat(reason).as("batch %d", i).isZero();
                        accepted.add(i);
                    }
                    Thread.sleep(60); // the windows close and reach the writer's queue
                }
                assertThat(refusedAt).as("a batch refused once the writer's backlog reached 50 rows").isPositive();
                assertThat(tw.engine.sightingWriter().pending()).isGreaterThanOrEqualTo(50);
                assertThat(tw.api().rawGet("/metrics")).contains("tagwatch_journal_full 1.0");

                pg.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (publish(c, refusedAt) != 0) {
                    assertThat(System.nanoTime()).as("reads taken again once the database is back").isLessThan(deadline);
                    Thread.sleep(200);
                }
                accepted.add(refusedAt);
                c.close();

                long expected = (long) accepted.size() * READS;
                long deadlineStored = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                long[] stored;
                do {
                    Thread.sleep(200);
                    stored = stored(db);
                } while (stored[0] < expected && System.nanoTime() < deadlineStored);
                assertThat(stored[0]).as("sightings of the acknowledged batches").isEqualTo(expected);
                assertThat(stored[1]).as("distinct tags: each read in exactly one sighting").isEqualTo(expected);
            }
        }
    }

    /** Publishes batch {@code i} (10 new tags, binary v1) at QoS 1; returns the PUBACK reason code. */
    private static int publish(Mqtt5Reader c, int i) {
        ReadBatch b = new ReadBatch(READS);
        for (int r = 0; r < READS; r++) {
            b.add(0x77_0000L + i * 100L + r, System.currentTimeMillis(), -60, 1);
        }
        return c.publish(ReadPayloadEncoder.binary(b));
    }

    private static long[] stored(TestDatabase.Db db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT tag) FROM sightings WHERE tag >= x'770000'::bigint")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}
