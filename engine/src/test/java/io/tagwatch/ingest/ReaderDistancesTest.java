package io.tagwatch.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tagwatch.registry.ReaderInfo;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReaderDistancesTest {

    @Test
    void answersAsTheHaversineForEveryPair_cachedOrNot() {
        SplittableRandom random = new SplittableRandom(3);
        ReaderInfo[] readers = new ReaderInfo[600]; // more pairs than slots: evictions and collisions
        for (int i = 0; i < readers.length; i++) {
            readers[i] = new ReaderInfo(i, "R" + i, "r", 52.2 + random.nextDouble() * 0.4, 4.6 + random.nextDouble() * 0.6, "d");
        }
        ReaderDistances distances = new ReaderDistances();
        for (int n = 0; n < 300_000; n++) {
            ReaderInfo a = readers[random.nextInt(readers.length)];
            ReaderInfo b = readers[random.nextInt(random.nextBoolean() ? 40 : readers.length)]; // some pairs often
            assertThat(distances.meters(a, b)).isEqualTo(ReaderDistances.haversine(a.lat(), a.lon(), b.lat(), b.lon()));
        }
    }

    @Test
    void aReaderMovedUnderTheSameIndex_isMeasuredAfresh() {
        ReaderDistances distances = new ReaderDistances();
        ReaderInfo a = new ReaderInfo(0, "A", "a", 52.37, 4.89, "d");
        ReaderInfo b = new ReaderInfo(1, "B", "b", 52.47, 4.89, "d");
        assertThat(distances.meters(a, b)).isCloseTo(11_119, within(5.0));
        ReaderInfo moved = new ReaderInfo(1, "B", "b", 52.38, 4.89, "d");
        assertThat(distances.meters(a, moved)).isCloseTo(1_112, within(5.0));
    }
}
