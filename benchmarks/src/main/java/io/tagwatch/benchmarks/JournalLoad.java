package io.tagwatch.benchmarks;

import io.tagwatch.journal.FileJournal;
import io.tagwatch.journal.FsyncPolicy;
import io.tagwatch.journal.JournalOptions;
import io.tagwatch.read.ReadBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The journal under load, on this machine's disk, with group commit:
 * <ol>
 *   <li>throughput: batches of 100 reads appended as fast as acknowledgements come back
 *       (at most 20,000 batches in flight), reads/s appended <em>and acknowledged</em>;</li>
 *   <li>latency: 1,000 batches of 100 reads a second (100,000 reads/s) on a fixed schedule,
 *       append → acknowledgement (the PUBACK moment), p50 / p99 / max.</li>
 * </ol>
 * Run: {@code java -cp benchmarks/target/benchmarks.jar io.tagwatch.benchmarks.JournalLoad [seconds] [dir]}.
 * Each batch carries distinct reads (a different base tag), so none is taken for a redelivery.
 */
public final class JournalLoad {
    static final int READS = 100;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("tagwatch-journal-bench");
        try {
            System.out.printf("journal load: %d s per phase, dir %s, fsync GROUP%n", seconds, dir);
            throughput(dir.resolve("throughput"), seconds);
            latency(dir.resolve("latency"), seconds, 1_000);
        } finally {
            deleteTree(dir);
        }
    }

    private static ReadBatch batch(long n) {
        ReadBatch b = new ReadBatch(READS);
        long now = System.currentTimeMillis();
        for (int i = 0; i < READS; i++) {
            b.add(n * READS + i, now + i, -60, 1);
        }
        b.source("BENCH-" + (n % 400), 0, now);
        return b;
    }

    private static FileJournal open(Path dir) {
        return FileJournal.open(dir, new JournalOptions(64L << 20, 64L << 30, 0, FsyncPolicy.GROUP), 0, (b, s, e) -> { });
    }

    static void throughput(Path dir, int seconds) {
        FileJournal j = open(dir);
        Semaphore inFlight = new Semaphore(20_000);
        AtomicLong acked = new AtomicLong();
        long n = 0;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            inFlight.acquireUninterruptibly();
            j.append(batch(n++), () -> {
                acked.incrementAndGet();
                inFlight.release();
            });
        }
        inFlight.acquireUninterruptibly(20_000);
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("throughput: %,d batches, %,.0f reads/s appended and acknowledged, %,d fsyncs (%.0f batches per fsync)%n",
                acked.get(), acked.get() * READS / secs, j.fsyncs(), (double) acked.get() / Math.max(1, j.fsyncs()));
        j.close();
    }

    static void latency(Path dir, int seconds, int batchesPerSecond) {
        FileJournal j = open(dir);
        measureLatency(j, 2, batchesPerSecond, false); // warm-up, not reported
        measureLatency(j, seconds, batchesPerSecond, true);
        j.close();
    }

    private static void measureLatency(FileJournal j, int seconds, int batchesPerSecond, boolean report) {
        long fsyncsBefore = j.fsyncs();
        int total = seconds * batchesPerSecond;
        long[] latencies = new long[total];
        AtomicLong done = new AtomicLong();
        long interval = TimeUnit.SECONDS.toNanos(1) / batchesPerSecond;
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(Math.min(due - now, 200_000));
            }
            int k = i;
            long sent = System.nanoTime();
            j.append(batch(i + (report ? 1_000_000L : 0)), () -> {
                latencies[k] = System.nanoTime() - sent;
                done.incrementAndGet();
            });
        }
        while (done.get() < total) {
            LockSupport.parkNanos(1_000_000);
        }
        if (!report) {
            return;
        }
        Arrays.sort(latencies);
        System.out.printf("latency at %,d reads/s: append -> acknowledgement p50 %.2f ms, p99 %.2f ms, max %.2f ms (%,d fsyncs)%n",
                batchesPerSecond * READS, latencies[total / 2] / 1e6, latencies[(int) (total * 0.99)] / 1e6,
                latencies[total - 1] / 1e6, j.fsyncs() - fsyncsBefore);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
