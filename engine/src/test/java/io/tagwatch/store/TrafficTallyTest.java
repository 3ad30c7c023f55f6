package io.tagwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TrafficTallyTest {
    private static final long HOUR = 3_600_000L;
    private static final long H0 = 1_764_378_000_000L; // an hour's start (UTC)

    @Test
    void countsPerReaderAndHour_acrossBatchesNumberedApart() {
        // Two batches with numberings of their own: "R-2" is reader 1 in the first and 0 in the second.
        SightingRows first = SightingRows.of(List.of(
                new Sighting(1, "R-1", H0 + 10, H0 + 20, 3, -50),
                new Sighting(2, "R-2", H0 + HOUR + 5, H0 + HOUR + 9, 1, -60),
                new Sighting(3, "R-1", H0 + HOUR - 1, H0 + HOUR + 2_000, 2, -55)));
        SightingRows second = SightingRows.of(List.of(
                new Sighting(4, "R-2", H0 + HOUR + 100, H0 + HOUR + 200, 4, -70),
                new Sighting(5, "R-1", H0 - 1, H0 - 1, 1, -45)));
        TrafficTally tally = new TrafficTally(List.of(first, second));
        tally.countAll();

        assertThat(tally.counted()).isEqualTo(5);
        assertThat(text(tally.counts())).containsExactly(
                "R-1 " + (H0 / HOUR - 1) + " 1 1",
                "R-1 " + H0 / HOUR + " 2 5",
                "R-2 " + (H0 / HOUR + 1) + " 2 5");
    }

    @Test
    void countingChunkByChunk_givesWhatCountingAllAtOnceGives() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ids.add("R-" + i);
        }
        Random random = new Random(7);
        List<SightingRows> batches = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            SightingRows rows = new SightingRows(ids::get); // the engine's case: one numbering for every batch
            for (int i = 0; i < 4_000; i++) {
                long first = H0 + random.nextInt(3) * HOUR + random.nextInt(1_000);
                rows.add(random.nextLong(), random.nextInt(ids.size()), first, first + 500, 1 + random.nextInt(9), -60);
            }
            batches.add(rows);
        }
        TrafficTally whole = new TrafficTally(batches);
        whole.countAll();

        TrafficTally chunked = new TrafficTally(batches);
        long sent = 0;
        while (chunked.counted() < 12_000) {
            sent += 1 + random.nextInt(1_700); // chunks that end inside a batch and across batches
            chunked.countTo(sent);
            assertThat(chunked.counted()).isEqualTo(Math.min(sent, 12_000));
        }
        chunked.countTo(sent); // counting again to the same row counts nothing twice

        assertThat(text(chunked.counts())).isEqualTo(text(whole.counts()));
        long sightings = whole.counts().values().stream().mapToLong(n -> n[0]).sum();
        assertThat(sightings).isEqualTo(12_000);
    }

    private static List<String> text(TreeMap<TrafficTally.Key, long[]> counts) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<TrafficTally.Key, long[]> e : counts.entrySet()) {
            out.add(e.getKey().reader() + " " + e.getKey().hour() + " " + e.getValue()[0] + " " + e.getValue()[1]);
        }
        return out;
    }
}
