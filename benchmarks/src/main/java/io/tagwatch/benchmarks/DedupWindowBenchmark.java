package io.tagwatch.benchmarks;

import io.tagwatch.dedup.DedupWindow;
import io.tagwatch.dedup.SightingSink;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dedup step per read at city scale: 200,000 open windows (a city's vehicles spread over
 * 400 readers), reads hitting the open windows in a random order (not the order they were
 * opened in, which would favour the JDK map's allocation locality). Baseline in the same
 * run: a JDK {@code HashMap<Key, long[]>} doing the same bookkeeping (boxing a key per read).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DedupWindowBenchmark {
    static final int OPEN = 200_000;
    static final int READERS = 400;
    static final int BATCH = 1_000;

    private record Key(long tag, int reader) {
    }

    private final SightingSink sink = (tag, reader, first, last, count, best) -> { };
    private DedupWindow window;
    private Map<Key, long[]> jdk;
    private long[] tags;
    private int[] readers;
    private int[] order; // the windows in a random order: traffic does not arrive in insertion order
    private int cursor;
    private long now;

    @Setup
    public void setUp() {
        window = new DedupWindow(30_000, 1 << 20);
        jdk = new HashMap<>();
        SplittableRandom r = new SplittableRandom(3);
        tags = new long[OPEN];
        readers = new int[OPEN];
        for (int i = 0; i < OPEN; i++) {
            tags[i] = 0x9F3A000000L + r.nextInt(220_000);
            readers[i] = r.nextInt(READERS);
            window.observe(tags[i], readers[i], 0, -60, 0, sink);
            jdk.put(new Key(tags[i], readers[i]), new long[] {0, 0, 1, -60});
        }
        order = new int[OPEN];
        for (int i = 0; i < OPEN; i++) {
            order[i] = i;
        }
        for (int i = OPEN - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int x = order[i];
            order[i] = order[j];
            order[j] = x;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int dedupWindow() {
        int opened = 0;
        long t = ++now;
        for (int i = 0; i < BATCH; i++) {
            int k = order[cursor];
            cursor = cursor + 1 == OPEN ? 0 : cursor + 1;
            if (window.observe(tags[k], readers[k], t, -55, t, sink)) {
                opened++;
            }
        }
        return opened;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int baselineJdkHashMap() {
        int opened = 0;
        long t = ++now;
        for (int i = 0; i < BATCH; i++) {
            int k = order[cursor];
            cursor = cursor + 1 == OPEN ? 0 : cursor + 1;
            long[] w = jdk.get(new Key(tags[k], readers[k]));
            if (w == null) {
                jdk.put(new Key(tags[k], readers[k]), new long[] {t, t, 1, -55});
                opened++;
            } else {
                w[1] = t;
                w[2]++;
                w[3] = Math.max(w[3], -55);
            }
        }
        return opened;
    }
}
