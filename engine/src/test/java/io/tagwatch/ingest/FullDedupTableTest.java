package io.tagwatch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.TestEngine;
import io.tagwatch.TestPublisher;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A full dedup table in the running engine: the windows past its bound are closed once no batch waits. */
class FullDedupTableTest {

    @Test
    void windowsOpenedPastTheBound_areClosedEarly_whenTheMatchThreadHasTime() throws Exception {
        // bound 8, so a headroom of 2: ten new windows open without closing any on the way to a hit,
        // and the match thread then brings the table back to its bound
        try (TestEngine tw = TestEngine.start(b -> b.dedupWindow(Duration.ofMinutes(10)).maxOpenSightings(8))) {
            String admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
            String secret = tw.api().createReader(admin, "F1", "north");
            for (int i = 0; i < 10; i++) {
                TestPublisher.readOnce(tw.broker(), "F1", secret, String.format("F00%02d", i));
            }
            IngestStats stats = tw.engine.ingest().stats();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((stats.reads() < 10 || stats.openWindows() > 8) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                stats = tw.engine.ingest().stats();
            }
            assertThat(stats.reads()).isEqualTo(10);
            assertThat(stats.sightingsOpened()).as("every read a new sighting").isEqualTo(10);
            assertThat(stats.openWindows()).as("back to the bound").isEqualTo(8);
            assertThat(stats.windowOverflows()).as("two windows closed early").isEqualTo(2);
        }
    }
}
