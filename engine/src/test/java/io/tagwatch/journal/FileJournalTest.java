package io.tagwatch.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.read.ReadBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileJournalTest {
    @TempDir
    Path dir;

    private record Got(String reader, long firstTag, int size, long start, long end) {
    }

    private final List<Got> got = new ArrayList<>();
    private final JournalSink sink = (b, start, end) -> {
        synchronized (got) {
            got.add(new Got(b.readerId(), b.size() == 0 ? -1 : b.tag(0), b.size(), start, end));
        }
    };

    private static JournalOptions options(long segment, long cap) {
        return new JournalOptions(segment, cap, 0, FsyncPolicy.GROUP);
    }

    private static ReadBatch batch(String reader, long firstTag, int n) {
        ReadBatch b = new ReadBatch(n);
        for (int i = 0; i < n; i++) {
            b.add(firstTag + i, 1_764_380_000_000L + i, -50 - i, i == 0 ? ReadBatch.NO_ANTENNA : 1);
        }
        b.source(reader, 0, 1_764_380_000_500L);
        return b;
    }

    /** Appends and waits until every append is acknowledged. */
    private static void appendAll(FileJournal j, List<ReadBatch> batches) throws InterruptedException {
        CountDownLatch acked = new CountDownLatch(batches.size());
        for (ReadBatch b : batches) {
            assertThat(j.append(b, acked::countDown)).isTrue();
        }
        assertThat(acked.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void append_acknowledgesAfterWriting_andReopenReplaysEverythingInOrder_acrossSegments() throws Exception {
        List<ReadBatch> batches = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            batches.add(batch("R" + (i % 3), i * 1000L, 1 + i % 7));
        }
        FileJournal j = FileJournal.open(dir, options(8192, 1 << 30), 0, sink);
        appendAll(j, batches);
        assertThat(j.durablePosition()).isEqualTo(j.appendPosition());
        j.close();
        assertThat(got).hasSize(300);
        assertThat(segments()).as("small segments roll").hasSizeGreaterThan(3);

        List<Got> live = new ArrayList<>(got);
        got.clear();
        FileJournal again = FileJournal.open(dir, options(8192, 1 << 30), 0, sink);
        again.close();
        assertThat(got).as("replay gives the same batches at the same positions").isEqualTo(live);
        for (int i = 1; i < got.size(); i++) {
            assertThat(got.get(i).start()).isEqualTo(got.get(i - 1).end());
        }
    }

    @Test
    void appendsFromManyThreadsAtOnce_areEachJournaledOnce_inOneUnbrokenOrder_andSurviveAReopen() throws Exception {
        int threads = 4;
        int perThread = 2_000;
        FileJournal j = FileJournal.open(dir, options(16_384, 1 << 30), 0, sink);
        CountDownLatch acked = new CountDownLatch(threads * perThread);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread a = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    assertThat(j.append(batch("R" + thread, thread * 1_000_000L + i * 10L, 1 + i % 3), acked::countDown)).isTrue();
                }
            });
            a.start();
            appenders.add(a);
        }
        start.countDown();
        for (Thread a : appenders) {
            a.join();
        }
        assertThat(acked.await(10, TimeUnit.SECONDS)).as("every append acknowledged").isTrue();
        j.close();

        assertThat(got).hasSize(threads * perThread);
        for (int i = 1; i < got.size(); i++) {
            assertThat(got.get(i).start()).as("record %d follows the one before", i).isEqualTo(got.get(i - 1).end());
        }
        for (int t = 0; t < threads; t++) {
            String reader = "R" + t;
            List<Long> firstTags = got.stream().filter(g -> g.reader().equals(reader)).map(Got::firstTag).toList();
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                expected.add(t * 1_000_000L + i * 10L);
            }
            assertThat(firstTags).as("%s's batches, each once, in the order it appended them", reader).isEqualTo(expected);
        }
        List<Got> live = new ArrayList<>(got);
        got.clear();
        FileJournal.open(dir, options(16_384, 1 << 30), 0, sink).close();
        assertThat(got).as("replay gives the same batches at the same positions").isEqualTo(live);
    }

    @Test
    void aDrivenJournal_writesOnlyWhenItsDriverAsks_onTheDriversThread_andCloseWritesWhatIsLeft() throws Exception {
        AtomicInteger wakes = new AtomicInteger();
        List<String> threads = new ArrayList<>();
        JournalSink recording = (b, start, end) -> {
            sink.journaled(b, start, end);
            synchronized (threads) {
                threads.add(Thread.currentThread().getName());
            }
        };
        FileJournal j = FileJournal.openDriven(dir, options(8192, 1 << 30), 0, recording, wakes::incrementAndGet);
        CountDownLatch acked = new CountDownLatch(40);
        for (int i = 0; i < 40; i++) {
            assertThat(j.append(batch("R" + (i % 2), i * 100L, 1 + i % 5), acked::countDown)).isTrue();
        }
        assertThat(wakes.get()).as("every append wakes the driver").isEqualTo(40);
        assertThat(acked.await(200, TimeUnit.MILLISECONDS)).as("nothing acknowledged before it is written").isFalse();
        assertThat(got).as("nothing written before the driver asks").isEmpty();
        assertThat(j.appendPosition()).isZero();

        Thread driver = new Thread(() -> {
            while (j.writePending()) {
                // up to 4,096 batches a call
            }
        }, "driver");
        driver.start();
        driver.join(10_000);
        assertThat(acked.await(10, TimeUnit.SECONDS)).as("acknowledged once forced").isTrue();
        assertThat(got).hasSize(40);
        assertThat(threads).as("the sink hears of each batch on the driver's thread").containsOnly("driver");
        assertThat(j.durablePosition()).isEqualTo(j.appendPosition()).isPositive();
        assertThat(j.writePending()).as("nothing left").isFalse();

        CountDownLatch late = new CountDownLatch(5);
        for (int i = 40; i < 45; i++) {
            assertThat(j.append(batch("R0", i * 100L, 3), late::countDown)).isTrue();
        }
        j.close(); // no driver call: close writes and forces them
        assertThat(late.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(got).hasSize(45);

        List<Got> live = new ArrayList<>(got);
        got.clear();
        FileJournal.open(dir, options(8192, 1 << 30), 0, sink).close();
        assertThat(got).as("a reopen replays all 45 in the order written").isEqualTo(live);
    }

    @Test
    void aJournalForcingEveryBatch_cannotBeDriven_forItsDriverWouldWaitOnTheDisk() {
        JournalOptions everyBatch = new JournalOptions(8192, 1 << 30, 0, FsyncPolicy.EVERY_BATCH);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FileJournal.openDriven(dir, everyBatch, 0, sink, () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("its own writer thread");
    }

    @Test
    void anInterruptedAppendingThread_doesNotBreakTheJournal_evenWhenItsAppendRollsASegment() throws Exception {
        FileJournal j = FileJournal.open(dir, options(4096, 1 << 30), 0, sink);
        CountDownLatch acked = new CountDownLatch(200);
        Thread appender = new Thread(() -> {
            for (int i = 0; i < 200; i++) {
                Thread.currentThread().interrupt(); // as an MQTT client library does to its callback thread at disconnect
                j.append(batch("R1", i * 100L, 5), acked::countDown);
            }
        });
        appender.start();
        appender.join();
        assertThat(acked.await(10, TimeUnit.SECONDS)).as("every append acknowledged").isTrue();
        assertThat(j.full()).as("the journal still takes appends").isFalse();
        appendAll(j, List.of(batch("R2", 1L, 1)));
        j.close();
        assertThat(segments()).as("small segments roll").hasSizeGreaterThan(3);

        got.clear();
        FileJournal.open(dir, options(4096, 1 << 30), 0, sink).close();
        assertThat(got).hasSize(201);
    }

    @Test
    void everyAcknowledgement_comesAfterItsBatchWasMatchedAndForcedToDisk_acrossSegmentRolls() throws Exception {
        java.util.Map<ReadBatch, Long> ends = new java.util.concurrent.ConcurrentHashMap<>();
        FileJournal j = FileJournal.open(dir, options(4096, 1 << 30), 0, (b, start, end) -> ends.put(b, end));
        int n = 2_000;
        CountDownLatch acked = new CountDownLatch(n);
        AtomicInteger early = new AtomicInteger();
        Runnable producer = () -> {
            for (int i = 0; i < n / 2; i++) {
                ReadBatch b = batch("R" + Thread.currentThread().getName(), i * 10L, 1 + i % 5);
                j.append(b, () -> {
                    Long end = ends.get(b);
                    if (end == null || j.durablePosition() < end) {
                        early.incrementAndGet(); // acknowledged before it was handed on, or before it was on disk
                    }
                    acked.countDown();
                });
            }
        };
        Thread a = new Thread(producer, "A");
        Thread c = new Thread(producer, "B");
        a.start();
        c.start();
        a.join();
        c.join();
        assertThat(acked.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(early.get()).isZero();
        assertThat(j.fsyncs()).as("group commit: fewer forces than batches").isLessThan(n);
        j.close();
        assertThat(segments()).hasSizeGreaterThan(10);
    }

    @Test
    void replay_startsAtTheCheckpoint_andCheckpointDeletesOldSegments() throws Exception {
        List<ReadBatch> batches = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batches.add(batch("R1", i * 1000L, 5));
        }
        FileJournal j = FileJournal.open(dir, options(8192, 1 << 30), 0, sink);
        appendAll(j, batches);
        long checkpoint = got.get(149).end();
        int before = segments().size();
        j.checkpointed(checkpoint);
        assertThat(segments().size()).isLessThan(before);
        j.close();
        got.clear();
        FileJournal.open(dir, options(8192, 1 << 30), checkpoint, sink).close();
        assertThat(got).hasSize(50);
        assertThat(got.get(0).firstTag()).isEqualTo(150_000L);
    }

    @Test
    void open_cutsATornTailRecord_andKeepsEverythingBefore() throws Exception {
        FileJournal j = FileJournal.open(dir, options(1 << 20, 1 << 30), 0, sink);
        appendAll(j, List.of(batch("R1", 100, 3), batch("R1", 200, 3), batch("R1", 300, 3)));
        j.close();
        long goodEnd = got.get(2).end();
        Path seg = segments().get(0);
        // a record cut off mid-body, as a crash during write leaves it
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer torn = ByteBuffer.allocate(20).putInt(500).putInt(12345);
            torn.flip();
            ch.write(torn);
        }
        got.clear();
        FileJournal again = FileJournal.open(dir, options(1 << 20, 1 << 30), 0, sink);
        assertThat(got).extracting(Got::firstTag).containsExactly(100L, 200L, 300L);
        assertThat(Files.size(seg)).as("cut back to the last whole record").isEqualTo(goodEnd);
        appendAll(again, List.of(batch("R1", 400, 1)));
        again.close();
        got.clear();
        FileJournal.open(dir, options(1 << 20, 1 << 30), 0, sink).close();
        assertThat(got).extracting(Got::firstTag).containsExactly(100L, 200L, 300L, 400L);
    }

    @Test
    void open_cutsACorruptRecordFoundByItsCrc() throws Exception {
        FileJournal j = FileJournal.open(dir, options(1 << 20, 1 << 30), 0, sink);
        appendAll(j, List.of(batch("R1", 100, 3), batch("R1", 200, 3), batch("R1", 300, 3)));
        j.close();
        long secondStart = got.get(1).start();
        Path seg = segments().get(0);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, secondStart + 20);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
            ch.write(one, secondStart + 20);
        }
        got.clear();
        FileJournal.open(dir, options(1 << 20, 1 << 30), 0, sink).close();
        assertThat(got).extracting(Got::firstTag).containsExactly(100L);
        assertThat(Files.size(seg)).isEqualTo(secondStart);
    }

    @Test
    void append_refusesAtTheCap_andTakesAgainAfterACheckpoint() throws Exception {
        FileJournal j = FileJournal.open(dir, options(8192, 8192), 0, sink);
        int taken = 0;
        AtomicInteger acks = new AtomicInteger();
        while (j.append(batch("R1", taken * 100L, 10), acks::incrementAndGet)) {
            taken++;
            while (acks.get() < taken) {
                Thread.sleep(1);
            }
            assertThat(taken).isLessThan(1000);
        }
        assertThat(j.full()).isTrue();
        assertThat(taken).isGreaterThan(10);
        j.checkpointed(j.appendPosition());
        assertThat(j.full()).as("room again after the checkpoint").isFalse();
        assertThat(j.append(batch("R1", 999_999, 1), acks::incrementAndGet)).isTrue();
        j.close();
    }

    @Test
    void redelivery_ofTheSameBatch_isAcknowledgedButJournaledOnce_alsoAfterARestart() throws Exception {
        FileJournal j = FileJournal.open(dir, options(1 << 20, 1 << 30), 0, sink);
        appendAll(j, List.of(batch("R1", 100, 3), batch("R2", 100, 3)));
        ReadBatch resent = batch("R1", 100, 3);
        resent.source("R1", 0, 1_764_380_009_999L); // received again later
        appendAll(j, List.of(resent));
        assertThat(got).hasSize(2);
        assertThat(j.duplicates()).isEqualTo(1);
        long checkpoint = j.appendPosition();
        j.close();
        got.clear();
        FileJournal after = FileJournal.open(dir, options(1 << 20, 1 << 30), checkpoint, sink);
        appendAll(after, List.of(batch("R2", 100, 3), batch("R2", 500, 3)));
        after.close();
        assertThat(got).as("the redelivery of a checkpointed batch is still recognised")
                .extracting(Got::reader, Got::firstTag).containsExactly(org.assertj.core.groups.Tuple.tuple("R2", 500L));
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }
}
