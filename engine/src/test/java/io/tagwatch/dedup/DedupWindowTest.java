package io.tagwatch.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.read.ReadBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DedupWindowTest {
    private record Closed(long tag, int reader, long first, long last, int count, int best) {
    }

    private final List<Closed> closed = new ArrayList<>();
    private final SightingSink sink = (tag, reader, first, last, count, best) ->
            closed.add(new Closed(tag, reader, first, last, count, best));

    @Test
    void observe_firstReadOpensSighting_laterReadsJoinIt() {
        DedupWindow w = new DedupWindow(30_000, 16);
        assertThat(w.observe(0xA1, 0, 1_000, -70, 1_000, sink)).isTrue();
        assertThat(w.observe(0xA1, 0, 1_500, -55, 1_500, sink)).isFalse();
        assertThat(w.observe(0xA1, 0, 900, -80, 1_600, sink)).isFalse();
        assertThat(w.observe(0xA1, 1, 1_700, -60, 1_700, sink)).as("same tag, other reader").isTrue();
        assertThat(w.openWindows()).isEqualTo(2);
        assertThat(closed).isEmpty();
    }

    @Test
    void expire_closesWindowsSilentForTheWindowTime_withCountsTimesAndBestRssi() {
        DedupWindow w = new DedupWindow(30_000, 16);
        w.observe(0xA1, 0, 1_000, -70, 1_000, sink);
        w.observe(0xA1, 0, 1_500, -55, 1_500, sink);
        w.observe(0xB2, 0, 20_000, ReadBatch.NO_RSSI, 20_000, sink);
        assertThat(w.expire(31_499, sink)).isZero();
        assertThat(w.expire(31_500, sink)).isEqualTo(1);
        assertThat(closed).containsExactly(new Closed(0xA1, 0, 1_000, 1_500, 2, -55));
        assertThat(w.observe(0xA1, 0, 40_000, -60, 40_000, sink)).as("a new pass after the window").isTrue();
        assertThat(w.observe(0xB2, 0, 60_000, -50, 60_000, sink))
                .as("a read after the window closes the old sighting even before a sweep").isTrue();
        assertThat(closed).contains(new Closed(0xB2, 0, 20_000, 20_000, 1, ReadBatch.NO_RSSI));
        assertThat(w.closeAll(sink)).isEqualTo(2);
        assertThat(closed).contains(new Closed(0xB2, 0, 60_000, 60_000, 1, -50));
        assertThat(w.openWindows()).isZero();
    }

    @Test
    void observe_whenFull_emitsOneReadSightingAndCountsOverflow() {
        DedupWindow w = new DedupWindow(30_000, 2);
        w.observe(1, 0, 0, -50, 0, sink);
        w.observe(2, 0, 0, -50, 0, sink);
        assertThat(w.observe(3, 0, 5, -40, 5, sink)).isTrue();
        assertThat(w.overflows()).isEqualTo(1);
        assertThat(closed).containsExactly(new Closed(3, 0, 5, 5, 1, -40));
        assertThat(w.openWindows()).isEqualTo(2);
    }

    @Test
    void randomTraffic_matchesAReferenceModel_acrossExpiryAndBackShiftDeletes() {
        // Small table, many colliding keys: exercises probing and back-shift deletion.
        DedupWindow w = new DedupWindow(1_000, 64);
        Map<String, long[]> model = new HashMap<>(); // key -> first, last, count, best, lastArrival
        Map<String, long[]> expectedClosed = new HashMap<>();
        Random r = new Random(7);
        long now = 0;
        for (int step = 0; step < 200_000; step++) {
            now += r.nextInt(3);
            if (step % 97 == 0) {
                long cutoff = now - 1_000;
                model.entrySet().removeIf(e -> {
                    if (e.getValue()[4] <= cutoff) {
                        expectedClosed.merge(e.getKey(), new long[] {e.getValue()[2]}, (a, b) -> new long[] {a[0] + b[0]});
                        return true;
                    }
                    return false;
                });
                w.expire(now, sink);
                assertThat(w.openWindows()).isEqualTo(model.size());
            }
            if (model.size() >= 60) {
                continue;
            }
            long tag = r.nextInt(200);
            int reader = r.nextInt(3);
            int rssi = -40 - r.nextInt(50);
            String key = tag + "@" + reader;
            long[] m = model.get(key);
            if (m != null && now - m[4] >= 1_000) {
                // expired but not yet swept: the read closes it and opens a new sighting
                expectedClosed.merge(key, new long[] {m[2]}, (a, b) -> new long[] {a[0] + b[0]});
                model.remove(key);
                m = null;
            }
            boolean opened = w.observe(tag, reader, now, rssi, now, sink);
            assertThat(opened).isEqualTo(m == null);
            if (m == null) {
                model.put(key, new long[] {now, now, 1, rssi, now});
            } else {
                m[1] = now;
                m[2]++;
                m[3] = Math.max(m[3], rssi);
                m[4] = now;
            }
        }
        model.forEach((k, v) -> expectedClosed.merge(k, new long[] {v[2]}, (a, b) -> new long[] {a[0] + b[0]}));
        w.closeAll(sink);
        Map<String, long[]> actual = new HashMap<>();
        for (Closed c : closed) {
            actual.merge(c.tag() + "@" + c.reader(), new long[] {c.count()}, (a, b) -> new long[] {a[0] + b[0]});
        }
        assertThat(actual.keySet()).isEqualTo(expectedClosed.keySet());
        expectedClosed.forEach((k, v) -> assertThat(actual.get(k)[0]).as(k).isEqualTo(v[0]));
        assertThat(w.overflows()).isZero();
    }
}
