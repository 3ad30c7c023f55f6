package io.tagwatch.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tagwatch.read.ReadBatch;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
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
    void observe_whenFull_closesTheLeastRecentlyReadWindowEarly_andTheNewPassKeepsItsReadsTogether() {
        DedupWindow w = new DedupWindow(30_000, 2);
        w.observe(1, 0, 0, -50, 0, sink);      // window of tag 1, last read at 0
        w.observe(2, 0, 3, -50, 3, sink);      // window of tag 2, last read at 3
        w.observe(1, 0, 4, -45, 4, sink);      // tag 1 read again: now tag 2's window is the older
        assertThat(w.observe(3, 0, 5, -40, 5, sink)).isTrue();
        assertThat(w.overflows()).isEqualTo(1);
        assertThat(closed).as("tag 2's window closed early, as its sighting").containsExactly(new Closed(2, 0, 3, 3, 1, -50));
        assertThat(w.openWindows()).isEqualTo(2);
        // the new window takes the rest of its pass: a second read of tag 3 is not another sighting
        assertThat(w.observe(3, 0, 6, -35, 6, sink)).isFalse();
        w.closeAll(sink);
        assertThat(closed).contains(new Closed(3, 0, 5, 6, 2, -35), new Closed(1, 0, 0, 4, 2, -45));
        assertThat(closed).hasSize(3);
    }

    @Test
    void withHeadroom_newWindowsOpenPastTheBound_andEvictExcessClosesTheLeastRecentlyReadOnes() {
        DedupWindow w = new DedupWindow(30_000, 8, 2);
        for (int tag = 0; tag < 10; tag++) {
            assertThat(w.observe(tag, 0, tag, -50, tag, sink)).isTrue();
        }
        w.observe(0, 0, 10, -40, 10, sink); // tag 0 read again: now tag 1's window is the least recently read
        assertThat(closed).as("within the headroom a read closes nothing").isEmpty();
        assertThat(w.openWindows()).isEqualTo(10);
        assertThat(w.excess()).isEqualTo(2);

        assertThat(w.evictExcess(5, sink)).isEqualTo(2);
        assertThat(w.excess()).isZero();
        assertThat(w.openWindows()).isEqualTo(8);
        assertThat(w.overflows()).isEqualTo(2);
        assertThat(closed).hasSize(2).allSatisfy(c -> assertThat(c.tag()).as("tag 0 was just read").isNotZero());

        // at capacity + headroom a new window closes one itself, as without headroom
        w.observe(20, 0, 11, -50, 11, sink);
        w.observe(21, 0, 12, -50, 12, sink);
        assertThat(w.openWindows()).isEqualTo(10);
        assertThat(w.observe(22, 0, 13, -50, 13, sink)).isTrue();
        assertThat(w.openWindows()).isEqualTo(10);
        assertThat(w.overflows()).isEqualTo(3);
        w.closeAll(sink);
        assertThat(closed.stream().mapToLong(Closed::count).sum()).as("every read in exactly one sighting").isEqualTo(14);
    }

    @Test
    void headroom_isAtMostAQuarterOfTheCapacity() {
        assertThatThrownBy(() -> new DedupWindow(30_000, 8, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("headroom=3");
    }

    @Test
    void aFullTable_underABurstyFlood_keepsEveryReadInExactlyOneSighting() {
        DedupWindow w = new DedupWindow(30_000, 64);
        java.util.Random rnd = new java.util.Random(7);
        long reads = 0;
        for (int pass = 0; pass < 5_000; pass++) {
            long tag = rnd.nextInt(2_000);
            int reader = rnd.nextInt(4);
            for (int k = 0; k < 4; k++) {
                w.observe(tag, reader, pass * 10L + k, -60, pass * 10L + k, sink);
                reads++;
            }
        }
        w.closeAll(sink);
        assertThat(w.overflows()).as("the table was full most of the time").isPositive();
        assertThat(closed.stream().mapToLong(Closed::count).sum()).as("every read counted once").isEqualTo(reads);
        assertThat(closed.size()).as("passes stay whole: about one sighting per pass of 4 reads, not one per read")
                .isLessThan((int) (reads / 3));
    }

    @Test
    void touchingABatchsSlotsFirst_changesNothing_theSameSightingsComeOut() {
        // The match thread loads a batch's slots before observing its reads: the same traffic, with
        // and without, full table and evictions included, gives the same sightings in the same order.
        List<Closed> plain = flood(false);
        List<Closed> touched = flood(true);
        assertThat(touched).hasSize(plain.size()).isEqualTo(plain);
    }

    private List<Closed> flood(boolean touchFirst) {
        closed.clear();
        DedupWindow w = new DedupWindow(30_000, 64);
        java.util.Random rnd = new java.util.Random(11);
        for (int batch = 0; batch < 2_000; batch++) {
            int reader = rnd.nextInt(4);
            long[] tags = new long[8];
            for (int i = 0; i < tags.length; i++) {
                tags[i] = rnd.nextInt(500);
            }
            if (touchFirst) {
                long sum = 0;
                for (long tag : tags) {
                    sum += w.touch(tag, reader);
                }
                assertThat(sum).isNotNegative(); // the marker of an occupied slot is the reader index + 1
            }
            for (int i = 0; i < tags.length; i++) {
                w.observe(tags[i], reader, batch * 10L + i, -60, batch * 10L + i, sink);
            }
        }
        w.closeAll(sink);
        assertThat(w.overflows()).isPositive();
        return new ArrayList<>(closed);
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
                // a full sweep, or (every other time) a pass of bounded slices of the table
                if (step % 2 == 0) {
                    w.expire(now, sink);
                } else {
                    for (int done = 0; done < w.slots(); done += 5) {
                        w.expireSome(now, 5, sink);
                    }
                }
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

    @Test
    void expireSome_boundedSlices_coverTheWholeTable_andResumeWhereTheyStopped() {
        DedupWindow w = new DedupWindow(1_000, 64);
        for (int tag = 0; tag < 50; tag++) {
            w.observe(tag, tag % 3, 0, -60, 0, sink);
        }
        for (int done = 0; done < w.slots(); done += 3) {
            assertThat(w.expireSome(999, 3, sink)).as("nothing is due before the window time").isZero();
        }
        int closedNow = 0;
        for (int done = 0; done < w.slots(); done += 3) {
            closedNow += w.expireSome(1_000, 3, sink);
        }
        assertThat(closedNow).as("one pass of the table in slices of 3 closes every due window").isEqualTo(50);
        assertThat(closed).hasSize(50);
        assertThat(w.openWindows()).isZero();
    }

    @Test
    void snapshot_copiedInSlicesWhileReadsArriveAndWindowsClose_holdsTheWindowsOfItsStart() throws IOException {
        DedupWindow w = new DedupWindow(1_000, 256);
        DedupWindow twin = new DedupWindow(1_000, 256); // the same traffic up to the snapshot's start
        Random r = new Random(11);
        long now = 0;
        for (int i = 0; i < 400; i++) {
            now += r.nextInt(5);
            long tag = r.nextInt(300);
            int reader = r.nextInt(4);
            int rssi = -40 - r.nextInt(50);
            w.observe(tag, reader, now, rssi, now, sink);
            twin.observe(tag, reader, now, rssi, now, sink);
            w.expireSome(now, 7, sink);
            twin.expireSome(now, 7, sink);
        }
        closed.clear();
        twin.closeAll(sink);
        Set<Closed> atStart = new HashSet<>(closed);
        assertThat(atStart).hasSizeGreaterThan(100);

        WindowSnapshot snap = new WindowSnapshot();
        w.startSnapshot(snap);
        boolean done = false;
        while (!done) {
            for (int i = 0; i < 3; i++) { // reads join, open and (expired) close windows between slices
                now += r.nextInt(5);
                w.observe(r.nextInt(300), r.nextInt(4), now, -40 - r.nextInt(50), now, sink);
            }
            w.expireSome(now, 11, sink);
            done = w.continueSnapshot(5);
        }
        assertThat(w.snapshotInProgress()).isFalse();
        assertThat(snap.size()).isEqualTo(atStart.size());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        snap.writeTo(Channels.newChannel(bytes), k -> "R-" + k);
        DedupWindow restored = new DedupWindow(1_000, 256);
        int n = restored.readSnapshot(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
                id -> Integer.parseInt(id.substring(2)), sink);
        assertThat(n).isEqualTo(atStart.size());
        closed.clear();
        restored.closeAll(sink);
        assertThat(new HashSet<>(closed)).isEqualTo(atStart);
    }

    @Test
    void readSnapshot_ofAnUnknownReader_closesThatWindow_andMapsReaderIdsToTodaysIndexes() throws IOException {
        DedupWindow w = new DedupWindow(30_000, 16);
        w.observe(0xA1, 0, 1_000, -70, 1_000, sink);
        w.observe(0xB2, 1, 2_000, -60, 2_000, sink);
        WindowSnapshot snap = new WindowSnapshot();
        w.startSnapshot(snap);
        w.continueSnapshot(Integer.MAX_VALUE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        snap.writeTo(Channels.newChannel(bytes), k -> k == 0 ? "NORTH-1" : "GONE-2");

        DedupWindow restored = new DedupWindow(30_000, 16);
        assertThat(restored.readSnapshot(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
                id -> id.equals("NORTH-1") ? 5 : -1, sink)).isEqualTo(1);
        assertThat(closed).containsExactly(new Closed(0xB2, 0, 2_000, 2_000, 1, -60));
        assertThat(restored.observe(0xA1, 5, 1_500, -50, 1_500, sink)).as("joins the restored window").isFalse();
    }

    @Test
    void readSnapshot_readsTheVersion1FormOfEarlierReleases() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(1);
        out.writeLong(30_000);
        out.writeInt(1);
        out.writeLong(0xC3);
        out.writeUTF("NORTH-1");
        out.writeLong(1_000);
        out.writeLong(1_400);
        out.writeLong(1_400);
        out.writeInt(3);
        out.writeInt(-52);
        DedupWindow w = new DedupWindow(30_000, 16);
        assertThat(w.readSnapshot(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
                id -> id.equals("NORTH-1") ? 2 : -1, sink)).isEqualTo(1);
        w.closeAll(sink);
        assertThat(closed).containsExactly(new Closed(0xC3, 2, 1_000, 1_400, 3, -52));
    }
}
