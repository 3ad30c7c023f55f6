package io.tagwatch.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tagwatch.read.PayloadError;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.read.ReadPayloadDecoder;
import io.tagwatch.read.ReadPayloadEncoder;
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
 * Decoding one 100-read batch, binary v1 against JSON, reported per read. The JDK baseline
 * in the same run is a plain loop that reads the same binary bytes with ByteBuf getters
 * (no validation): the floor a decoder can approach.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReadPayloadDecoderBenchmark {
    static final int READS = 100;

    private final ReadPayloadDecoder decoder = new ReadPayloadDecoder(10_000);
    private final ReadBatch batch = new ReadBatch(READS);
    private ByteBuf binary;
    private ByteBuf json;

    @Setup
    public void setUp() {
        ReadBatch b = new ReadBatch(READS);
        SplittableRandom r = new SplittableRandom(1);
        long now = 1_764_380_000_000L;
        for (int i = 0; i < READS; i++) {
            b.add(0x9F3A000000L + r.nextInt(220_000), now + i * 10, -40 - r.nextInt(50), 1 + r.nextInt(4));
        }
        binary = Unpooled.wrappedBuffer(ReadPayloadEncoder.binary(b));
        json = Unpooled.wrappedBuffer(ReadPayloadEncoder.json(b));
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public int binaryV1() {
        batch.clear();
        if (decoder.decode(binary, batch) != PayloadError.NONE) {
            throw new IllegalStateException(decoder.lastErrorDetail());
        }
        return batch.size();
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public int json() {
        batch.clear();
        if (decoder.decode(json, batch) != PayloadError.NONE) {
            throw new IllegalStateException(decoder.lastErrorDetail());
        }
        return batch.size();
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public int baselineRawByteBufLoop() {
        batch.clear();
        ByteBuf b = binary;
        long base = b.getLong(6);
        int n = b.getUnsignedShort(4);
        for (int i = 0, off = 14; i < n; i++, off += 14) {
            batch.add(b.getLong(off), base + b.getUnsignedInt(off + 8), b.getByte(off + 12), b.getUnsignedByte(off + 13));
        }
        return batch.size();
    }
}
