package io.tagwatch.benchmarks;

import io.tagwatch.hotlist.HotLists;
import io.tagwatch.registry.OpenTheft;
import io.tagwatch.registry.Vehicle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-sighting list check: is the tag registered, is it stolen. {@code registered} tags
 * (220,000 = a city, 10,000,000 = a province) with 2,000 stolen among them; lookups of random
 * tags, half of them registered. Baselines in the same run: {@code HashSet<Long>} and
 * {@code HashMap<Long, OpenTheft>}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx6g"})
public class HotListLookupBenchmark {
    static final int LOOKUPS = 1024;

    @Param({"220000", "10000000"})
    int registered;

    private HotLists lists;
    private Set<Long> jdkRegistered;
    private Map<Long, OpenTheft> jdkStolen;
    private long[] probes;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(5);
        long[] tags = new long[registered];
        for (int i = 0; i < registered; i++) {
            tags[i] = r.nextLong() >>> 8;
        }
        List<OpenTheft> stolen = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            long tag = tags[r.nextInt(registered)];
            stolen.add(new OpenTheft(i + 1, Instant.EPOCH, new Vehicle(i + 1, "P", tag, "ebike", "b", "c", 1, "o", "p", true)));
        }
        lists = new HotLists(() -> stolen, () -> io.tagwatch.registry.RegisteredTags.of(tags), List::of);
        lists.load();
        jdkRegistered = new HashSet<>(registered * 2);
        for (long t : tags) {
            jdkRegistered.add(t);
        }
        jdkStolen = new HashMap<>();
        for (OpenTheft t : stolen) {
            jdkStolen.put(t.vehicle().tag(), t);
        }
        probes = new long[LOOKUPS];
        for (int i = 0; i < LOOKUPS; i++) {
            probes[i] = (i & 1) == 0 ? tags[r.nextInt(registered)] : r.nextLong() >>> 8;
        }
    }

    @Benchmark
    @OperationsPerInvocation(LOOKUPS)
    public int hotLists() {
        int hits = 0;
        for (long t : probes) {
            if (lists.stolen(t) != null || !lists.registered(t)) {
                hits++;
            }
        }
        return hits;
    }

    /** One lookup: is this tag registered (the target of issue 5 is about this one). */
    @Benchmark
    @OperationsPerInvocation(LOOKUPS)
    public int registeredOnly() {
        int hits = 0;
        for (long t : probes) {
            if (lists.registered(t)) {
                hits++;
            }
        }
        return hits;
    }

    @Benchmark
    @OperationsPerInvocation(LOOKUPS)
    public int baselineJdkRegisteredOnly() {
        int hits = 0;
        for (long t : probes) {
            if (jdkRegistered.contains(t)) {
                hits++;
            }
        }
        return hits;
    }

    @Benchmark
    @OperationsPerInvocation(LOOKUPS)
    public int baselineJdkCollections() {
        int hits = 0;
        for (long t : probes) {
            if (jdkStolen.get(t) != null || !jdkRegistered.contains(t)) {
                hits++;
            }
        }
        return hits;
    }
}
