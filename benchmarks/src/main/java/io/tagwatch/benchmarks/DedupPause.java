package io.tagwatch.benchmarks;

import io.tagwatch.dedup.DedupWindow;
import io.tagwatch.dedup.SightingSink;
import io.tagwatch.dedup.WindowSnapshot;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How long the match thread stops for dedup housekeeping with 500,000 windows open in a table
 * of the default capacity (524,288 windows, 2^20 slots; the load benchmark's random tags keep it
 * near its cap). Side by side in one run:
 * <ul>
 *   <li>a whole-table sweep ({@code expire}, what the match thread did per sweep before) against
 *       one step of the incremental sweep ({@code expireSome} of {@code SLICE} slots);</li>
 *   <li>a whole snapshot copy in one go (the lower bound of a snapshot taken at once, before any
 *       file is written) against one step of the sliced copy; and the file write the checkpoint
 *       thread now does (version 2 form, forced), which the match thread no longer waits for.</li>
 * </ul>
 * Run: {@code java -cp benchmarks/target/benchmarks.jar io.tagwatch.benchmarks.DedupPause}.
 * Nothing expires during the sweeps (arrival 0, now 1 s, window 30 s): the walk is the cost.
 */
public final class DedupPause {
    static final int OPEN = 500_000;
    static final int READERS = 400;
    static final int SLICE = 16_384; // IngestPipeline.SLICE_SLOTS
    static final int REPEAT = 21;

    public static void main(String[] args) throws Exception {
        SightingSink sink = (tag, reader, first, last, count, best) -> { };
        DedupWindow w = new DedupWindow(30_000, 1 << 19);
        SplittableRandom r = new SplittableRandom(5);
        while (w.openWindows() < OPEN) {
            w.observe(r.nextLong() >>> 16, r.nextInt(READERS), 0, -60, 0, sink);
        }
        Path dir = Files.createTempDirectory("dedup-pause");
        Path file = dir.resolve("snap");
        WindowSnapshot snap = new WindowSnapshot();
        long[] fullSweep = new long[REPEAT];
        long[] sliceSweep = new long[REPEAT * 64];
        long[] fullCopy = new long[REPEAT];
        long[] sliceCopy = new long[REPEAT * 64];
        long[] write = new long[REPEAT];
        int sweeps = 0;
        int copies = 0;
        for (int i = 0; i < REPEAT; i++) {
            long t0 = System.nanoTime();
            w.expire(1_000, sink);
            fullSweep[i] = System.nanoTime() - t0;
            for (int k = 0; k < w.slots() / SLICE; k++) {
                t0 = System.nanoTime();
                w.expireSome(1_000, SLICE, sink);
                sliceSweep[sweeps++] = System.nanoTime() - t0;
            }
            t0 = System.nanoTime();
            w.startSnapshot(snap);
            w.continueSnapshot(Integer.MAX_VALUE);
            fullCopy[i] = System.nanoTime() - t0;
            w.startSnapshot(snap);
            boolean done = false;
            while (!done) {
                t0 = System.nanoTime();
                done = w.continueSnapshot(SLICE);
                sliceCopy[copies++] = System.nanoTime() - t0;
            }
            t0 = System.nanoTime();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                snap.writeTo(ch, k -> "READER-" + k);
                ch.force(true);
            }
            write[i] = System.nanoTime() - t0;
        }
        System.out.printf("%,d open windows, %,d slots, slices of %,d slots%n", w.openWindows(), w.slots(), SLICE);
        System.out.printf("sweep: whole table %s; one slice %s%n", ms(fullSweep, REPEAT), ms(sliceSweep, sweeps));
        System.out.printf("snapshot copy: whole table %s; one slice %s%n", ms(fullCopy, REPEAT), ms(sliceCopy, copies));
        System.out.printf("snapshot file (checkpoint thread, %,d bytes, forced): %s%n", Files.size(file), ms(write, REPEAT));
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    static String ms(long[] nanos, int n) {
        long[] s = Arrays.copyOf(nanos, n);
        Arrays.sort(s);
        return String.format("median %.3f ms, p99 %.3f ms, max %.3f ms", s[n / 2] / 1e6, s[(int) (n * 0.99)] / 1e6,
                s[n - 1] / 1e6);
    }
}
