package io.tagwatch.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tagwatch.read.PayloadError;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.read.ReadPayloadDecoder;
import io.tagwatch.read.ReadPayloadEncoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the MQTT handler does with a PUBLISH before the journal: a new {@link ReadBatch} (it is
 * handed to the journal and the match thread, so it is not reused), decode, source and time
 * checks. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} per operation, against the batch
 * size, shows what a read costs in allocation — the batch's column arrays, no object per read.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PublishHandoffBenchmark {
    @Param({"10", "100", "1000"})
    int reads;

    private final ReadPayloadDecoder decoder = new ReadPayloadDecoder(10_000);
    private ByteBuf payload;

    @Setup
    public void setUp() {
        ReadBatch b = new ReadBatch(reads);
        long now = System.currentTimeMillis();
        for (int i = 0; i < reads; i++) {
            b.add(0x9F3A000000L + i, now + i, -60, 1);
        }
        payload = Unpooled.wrappedBuffer(ReadPayloadEncoder.binary(b));
    }

    @Benchmark
    public ReadBatch publishToBatch() {
        ReadBatch batch = new ReadBatch(16); // as ReadPublishHandler does
        if (decoder.decode(payload, batch) != PayloadError.NONE) {
            throw new IllegalStateException(decoder.lastErrorDetail());
        }
        batch.source("R001", 1, System.currentTimeMillis());
        batch.resolveTimes(300_000, 86_400_000);
        return batch;
    }
}
