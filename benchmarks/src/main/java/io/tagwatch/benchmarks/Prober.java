package io.tagwatch.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.read.ReadPayloadEncoder;
import io.tagwatch.read.TagIds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Latency probes: a few reader connections publish, a few times a second, one read of a
 * stolen tag at QoS 1, each (tag, reader) pair only once in the whole run (so neither the
 * dedup window nor hit suppression hides it). The time from the publish to the probe's
 * arrival at the subscriber (TagWatch's alert, or Mosquitto's relayed message) is its latency.
 * A probe is made, stamped and written on its connection's event loop, as a reader publishes:
 * a timer thread handing each probe to the loop put one of the generator's own wake-ups (and
 * its wait for a CPU beside the load) into every probe's time. Thread-safe.
 */
final class Prober implements AutoCloseable {
    private final List<Channel> channels = new ArrayList<>();
    private final List<String> readers;
    private final long[] tags;
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    /** Per probe that arrived: {sent (ns since {@link #start}), latency (ns)}. */
    private final List<long[]> timeline = Collections.synchronizedList(new ArrayList<>());
    private volatile long startedNanos;
    private ScheduledFuture<?> task;
    private int next;

    Prober(EventLoopGroup group, int port, List<String[]> credentials, long[] tags) throws InterruptedException {
        this.tags = tags;
        this.readers = new ArrayList<>();
        for (String[] c : credentials) {
            readers.add(c[0]);
            Channel ch = MqttClientChannel.connect(group, port, new SimpleChannelInboundHandler<MqttMessage>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
                    // CONNACK and PUBACKs: nothing to do
                }
            });
            ch.writeAndFlush(MqttClientChannel.connectMessage(c[0] + "-probe", c[0], c[1])).sync();
            channels.add(ch);
        }
        Thread.sleep(500); // CONNACKs
    }

    int capacity() {
        return readers.size() * tags.length;
    }

    void start(double perSecond) {
        timeline.clear();
        startedNanos = System.nanoTime();
        task = channels.get(0).eventLoop().scheduleAtFixedRate(this::probe, 0, (long) (1e9 / perSecond), TimeUnit.NANOSECONDS);
    }

    void stop() {
        task.cancel(false);
    }

    private void probe() {
        if (next >= capacity()) {
            return; // every pair used: no more unseen probes
        }
        int r = next % readers.size();
        long tag = tags[next / readers.size()];
        next++;
        ReadBatch b = new ReadBatch(1);
        b.add(tag, System.currentTimeMillis(), -50, 1);
        sentAt.put(TagIds.format(tag) + "@" + readers.get(r), System.nanoTime());
        channels.get(r).writeAndFlush(MqttMessageBuilders.publish().topicName("tags/" + readers.get(r) + "/reads")
                .qos(MqttQoS.AT_LEAST_ONCE).messageId(1 + (next % 60_000)).retained(false)
                .payload(Unpooled.wrappedBuffer(ReadPayloadEncoder.binary(b))).build());
    }

    /** A probe arrived at the subscriber at {@code arrivedNanos} (System.nanoTime()): (tag, reader) as sent. */
    void arrived(long tag, String reader, long arrivedNanos) {
        arrived(tag, reader, arrivedNanos, null);
    }

    /**
     * As {@link #arrived(long, String, long)}, with the engine's stamps of the probe's batch (arrival,
     * journal write, match start, hit; System.nanoTime(), the same clock as ours on one machine), or null.
     */
    void arrived(long tag, String reader, long arrivedNanos, long[] engine) {
        Long t = sentAt.remove(TagIds.format(tag) + "@" + reader);
        if (t != null) {
            timeline.add(engine == null ? new long[] {t - startedNanos, arrivedNanos - t}
                    : new long[] {t - startedNanos, arrivedNanos - t, engine[0] - t, engine[1] - engine[0],
                        engine[2] - engine[1], engine[3] - engine[2], arrivedNanos - engine[3]});
        }
    }

    /** The hops of a probe's path, in the order {@link #arrived(long, String, long, long[])} records them. */
    static final String[] HOPS = {"send to engine", "engine to journal written", "written to match start",
        "match start to hit", "hit to officer"};

    /**
     * p50 / p99 (ms) of each hop of the probes that carried the engine's stamps since {@link #start}
     * (empty when none did: the engine runs without {@code -Dtagwatch.alert.stamps=true}).
     */
    Map<String, List<Double>> hopsMs() {
        List<long[]> withStamps = new ArrayList<>();
        for (long[] probe : arrivals()) {
            if (probe.length == 2 + HOPS.length) {
                withStamps.add(probe);
            }
        }
        Map<String, List<Double>> out = new java.util.LinkedHashMap<>();
        if (withStamps.isEmpty()) {
            return out;
        }
        for (int h = 0; h < HOPS.length; h++) {
            List<Long> v = new ArrayList<>();
            for (long[] probe : withStamps) {
                v.add(probe[2 + h]);
            }
            Collections.sort(v);
            out.put(HOPS[h], List.of(MqttLoad.quantileMs(v, 0.5), MqttLoad.quantileMs(v, 0.99)));
        }
        return out;
    }

    /** Mosquitto's relay of a probe: the reader from the topic, the tag from the binary payload. */
    void arrivedRelayed(String topic, ByteBuf payload) {
        long at = System.nanoTime();
        if (topic.startsWith("tags/P") && payload.readableBytes() >= ReadPayloadEncoder.BINARY_HEADER_BYTES + 8) {
            arrived(payload.getLong(payload.readerIndex() + ReadPayloadEncoder.BINARY_HEADER_BYTES), topic.substring(5, topic.indexOf('/', 5)), at);
        }
    }

    /** Sorted latencies (ns) of the probes that arrived since {@link #start}. */
    List<Long> latencies() {
        List<Long> sorted = new ArrayList<>();
        for (long[] probe : arrivals()) {
            sorted.add(probe[1]);
        }
        Collections.sort(sorted);
        return sorted;
    }

    /**
     * The slowest probe (ms, one decimal) sent in each second since {@link #start}, in order: whether
     * a tail is steady or comes in episodes (0 for a second whose probes never arrived).
     */
    List<Double> slowestMsBySecond() {
        List<Double> out = new ArrayList<>();
        for (long[] probe : arrivals()) {
            int second = (int) (probe[0] / 1_000_000_000L);
            while (out.size() <= second) {
                out.add(0.0);
            }
            out.set(second, Math.max(out.get(second), Math.round(probe[1] / 100_000.0) / 10.0));
        }
        return out;
    }

    /**
     * Appends each probe since {@link #start} to {@code file}, one line each: the send time
     * (System.nanoTime(), CLOCK_MONOTONIC, as {@code perf record -k CLOCK_MONOTONIC} stamps a trace),
     * the total, then each of {@link #HOPS} when the engine stamped it (ns).
     */
    void appendTimeline(java.nio.file.Path file) throws java.io.IOException {
        StringBuilder out = new StringBuilder();
        for (long[] probe : arrivals()) {
            out.append(startedNanos + probe[0]);
            for (int i = 1; i < probe.length; i++) {
                out.append(' ').append(probe[i]);
            }
            out.append('\n');
        }
        java.nio.file.Files.writeString(file, out, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private List<long[]> arrivals() {
        synchronized (timeline) {
            return new ArrayList<>(timeline);
        }
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
        channels.forEach(Channel::close);
    }
}
