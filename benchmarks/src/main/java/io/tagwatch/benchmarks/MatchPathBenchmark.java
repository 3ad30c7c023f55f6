package io.tagwatch.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tagwatch.dedup.DedupWindow;
import io.tagwatch.dedup.SightingSink;
import io.tagwatch.hotlist.HotLists;
import io.tagwatch.read.PayloadError;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.read.ReadPayloadDecoder;
import io.tagwatch.read.ReadPayloadEncoder;
import io.tagwatch.registry.OpenTheft;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The whole per-read path on one core, as the match thread runs it: decode a 100-read binary
 * batch into a reused batch, then each read through the dedup window and, on the first read of
 * a sighting, the hot lists (220,000 registered tags). Traffic: 20,000 vehicles passing 400
 * readers, so most reads join an open sighting. Reported per read; run with {@code -prof gc}
 * for allocation per read.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MatchPathBenchmark {
    static final int READS = 100;
    /**
     * Distinct batches cycled through: 256 (25,600 (tag, reader) pairs, whose slots stay in the
     * cache) or 16,384 (1.6 M pairs, the table full and evicting, a cache miss per read as under
     * the end-to-end load).
     */
    @Param({"256", "16384"})
    int batches;

    /**
     * As the engine runs its table (true): windows may open a quarter past the bound, and the
     * excess is closed after each batch ({@code DedupWindow.evictExcess}, {@code IngestPipeline.EVICT_SLICE} a step, as the match
     * thread does when no batch waits) — or (false) each read that finds the table full closes one
     * itself. The same work either way; what differs is where it falls.
     */
    @Param({"false", "true"})
    boolean headroom;

    private final ReadPayloadDecoder decoder = new ReadPayloadDecoder(10_000);
    private final ReadBatch batch = new ReadBatch(READS);
    private final SightingSink sink = (tag, reader, first, last, count, best) -> { };
    private DedupWindow dedup;
    private HotLists lists;
    private ByteBuf[] payloads;
    private int[] readers;
    private int next;
    private long clock;

    @Setup
    public void setUp() {
        SplittableRandom r = new SplittableRandom(9);
        long[] registered = new long[220_000];
        for (int i = 0; i < registered.length; i++) {
            registered[i] = 0x9F3A000000L + i;
        }
        lists = new HotLists(List::<OpenTheft>of, () -> io.tagwatch.registry.RegisteredTags.of(registered), List::of);
        lists.load();
        dedup = new DedupWindow(30_000, 1 << 19, headroom ? (1 << 19) / 4 : 0);
        payloads = new ByteBuf[batches];
        readers = new int[batches];
        for (int b = 0; b < batches; b++) {
            ReadBatch rb = new ReadBatch(READS);
            long now = 1_764_380_000_000L;
            for (int i = 0; i < READS; i++) {
                rb.add(0x9F3A000000L + r.nextInt(20_000), now + i, -60, 1);
            }
            payloads[b] = Unpooled.wrappedBuffer(ReadPayloadEncoder.binary(rb));
            readers[b] = r.nextInt(400);
        }
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public int decodeDedupMatch() {
        return run(false);
    }

    /** The same, each batch's dedup slots loaded first (as the match thread does since session 12). */
    @Benchmark
    @OperationsPerInvocation(READS)
    public int decodeTouchDedupMatch() {
        return run(true);
    }

    private int run(boolean touchFirst) {
        int b = next;
        next = b + 1 == batches ? 0 : b + 1;
        batch.clear();
        if (decoder.decode(payloads[b], batch) != PayloadError.NONE) {
            throw new IllegalStateException(decoder.lastErrorDetail());
        }
        long arrival = ++clock;
        int reader = readers[b];
        int flagged = 0;
        if (touchFirst) {
            long touched = 0;
            for (int i = 0, n = batch.size(); i < n; i++) {
                touched += dedup.touch(batch.tag(i), reader);
            }
            flagged = (int) (touched & 1);
        }
        for (int i = 0, n = batch.size(); i < n; i++) {
            long tag = batch.tag(i);
            if (dedup.observe(tag, reader, batch.timestamp(i), batch.rssi(i), arrival, sink)
                    && (lists.stolen(tag) != null || !lists.registered(tag))) {
                flagged++;
            }
        }
        if (headroom && dedup.excess() > 0) {
            dedup.evictExcess(io.tagwatch.ingest.IngestPipeline.EVICT_SLICE, sink);
        }
        return flagged;
    }
}
