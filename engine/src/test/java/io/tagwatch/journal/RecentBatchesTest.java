package io.tagwatch.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecentBatchesTest {

    /** The plain model: per reader the last {@code size} digests in order, scanned. */
    private static final class Model {
        final int size;
        final Map<String, Deque<Long>> last = new HashMap<>();

        Model(int size) {
            this.size = size;
        }

        boolean seen(String reader, long digest) {
            Deque<Long> q = last.computeIfAbsent(reader, k -> new ArrayDeque<>());
            if (digest != 0 && q.contains(digest)) {
                return false;
            }
            q.addLast(digest);
            if (q.size() > size) {
                q.removeFirst();
            }
            return true;
        }

        boolean contains(String reader, long digest) {
            Deque<Long> q = last.get(reader);
            return q != null && digest != 0 && q.contains(digest);
        }
    }

    @Test
    void answersAsTheLastDigestsOfEachReaderDo() {
        SplittableRandom random = new SplittableRandom(7);
        RecentBatches recent = new RecentBatches(16);
        Model model = new Model(16);
        int redeliveries = 0;
        for (int i = 0; i < 200_000; i++) {
            String reader = "R" + random.nextInt(3);
            // few distinct digests, some sharing a home slot, and the "no digest" 0: redeliveries,
            // evictions and long probe runs all happen often
            long digest = random.nextInt(10) == 0 ? 0 : (random.nextInt(40) << 20) * 0x1000_0000L + random.nextInt(4);
            boolean expected = model.seen(reader, digest);
            assertThat(recent.seen(reader, digest)).as("batch %d of %s, digest %x", i, reader, digest).isEqualTo(expected);
            if (!expected) {
                redeliveries++;
            }
            long probe = (random.nextInt(40) << 20) * 0x1000_0000L + random.nextInt(4);
            assertThat(recent.contains(reader, probe)).isEqualTo(model.contains(reader, probe));
        }
        assertThat(redeliveries).isBetween(10_000, 190_000);
    }

    @Test
    void forgetsABatchOnceItsReaderSentMoreThanTheRingHolds() {
        RecentBatches recent = new RecentBatches(4);
        assertThat(recent.seen("R1", 11)).isTrue();
        assertThat(recent.seen("R1", 11)).as("redelivered at once").isFalse();
        assertThat(recent.seen("R2", 11)).as("another reader's batch").isTrue();
        for (long d = 12; d <= 15; d++) {
            assertThat(recent.seen("R1", d)).isTrue();
        }
        assertThat(recent.contains("R1", 11)).isFalse();
        assertThat(recent.seen("R1", 11)).as("four newer batches later: taken again").isTrue();
    }
}
