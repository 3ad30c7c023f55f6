package io.tagwatch.benchmarks;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.tagwatch.benchmarks.MqttLoad.Scenario;
import io.tagwatch.benchmarks.MqttLoad.Target;
import io.tagwatch.net.NettyTransport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * TagWatch alone at fixed rates, with {@link MqttLoad}'s load, probes (40 a second) and officer:
 * the tool for comparing two builds or two settings of the engine side by side, which
 * {@code MqttLoad}'s half-rate phases cannot do (their rate is half of each run's own best, so
 * it moves from run to run). It warms the engine up as {@code MqttLoad} does (10 s of each
 * scenario, unpaced), then runs {@code phases} phases of each scenario asked for, and prints one
 * line per phase: rate, p50 / p99 / slowest probe of each second, CPU, the alert's stages and
 * each thread's share running and waiting for a CPU. It writes no result file and no row: run
 * it for each build in turn, alternating, and compare the lines.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.tagwatch.benchmarks.MqttFixedRate
 * rateA rateB seconds phases [engine options...]}: rateA in one-read messages a second (0 = no
 * (a) phases, -1 = unpaced), rateB in 100-read messages a second (likewise); engine options are
 * added to {@code tagwatch serve}'s, JVM options go in {@code -Dtagwatch.engine.jvm="..."}. With
 * {@code -Dtagwatch.engine.jvm="-Dtagwatch.alert.stamps=true"} each line also gives the probes' p50 /
 * p99 hop by hop (generator to engine, to the journal write, to the match, to the hit, to the officer).
 * With {@code -Dtagwatch.probes.file=F} (before {@code -cp}) every probe of every phase is appended to
 * F, one line each: its send time (System.nanoTime()), total and hops in ns — for
 * {@code benchmarks/tools/probe-cpus.py}, which sets them beside a scheduler trace of the same seconds.
 */
public final class MqttFixedRate {
    private MqttFixedRate() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: MqttFixedRate rateA rateB seconds phases [engine options...]");
            System.exit(2);
        }
        double rateA = Double.parseDouble(args[0]);
        double rateB = Double.parseDouble(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int phases = Integer.parseInt(args[3]);
        List<Scenario> scenarios = new ArrayList<>();
        if (rateA != 0) {
            scenarios.add(MqttLoad.A);
        }
        if (rateB != 0) {
            scenarios.add(MqttLoad.B);
        }
        List<String> engineArgs = new ArrayList<>(Arrays.asList(MqttLoad.ENGINE_ARGS));
        engineArgs.addAll(Arrays.asList(args).subList(4, args.length));
        // every probe a (tag, reader) pair of its own: enough probing readers for the warm-up's and every phase's probes
        long probes = (long) (phases * scenarios.size() * (seconds + 3) * MqttLoad.LATENCY_PROBES_PER_SECOND
                + 2 * (MqttLoad.WARM_UP_SECONDS + 3) * MqttLoad.PROBES_PER_SECOND);
        int probeReaders = (int) Math.max(MqttLoad.PROBE_READERS, (probes + MqttLoad.STOLEN - 1) / MqttLoad.STOLEN);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NettyTransport.ioHandlerFactory());
        EventLoopGroup probeGroup = new MultiThreadIoEventLoopGroup(1, NettyTransport.ioHandlerFactory());
        try (EngineUnderTest engine = new EngineUnderTest(MqttLoad.ENGINE_HEAP, engineArgs.toArray(new String[0]))) {
            long[] stolen = MqttLoad.provision(engine);
            try (Prober prober = new Prober(probeGroup, engine.mqttPort, MqttLoad.credentials(engine, "P", probeReaders), stolen);
                 LoadSubscriber officer = MqttLoad.officer(probeGroup, engine, prober)) {
                Target tagwatch = new Target("TagWatch", engine.mqttPort, engine.pid(),
                        MqttLoad.credentials(engine, "L", MqttLoad.LOAD_CONNECTIONS), prober, engine);
                for (Scenario s : List.of(MqttLoad.A, MqttLoad.B)) {
                    MqttLoad.phase(group, tagwatch, s, 0, MqttLoad.WARM_UP_SECONDS, null);
                }
                List<String> lines = new ArrayList<>();
                for (int i = 1; i <= phases; i++) {
                    for (Scenario s : scenarios) {
                        double rate = s == MqttLoad.A ? rateA : rateB;
                        Map<String, Object> p = MqttLoad.phase(group, tagwatch, s, Math.max(0, rate), seconds, null,
                                MqttLoad.LATENCY_PROBES_PER_SECOND);
                        String timeline = System.getProperty("tagwatch.probes.file");
                        if (timeline != null) {
                            prober.appendTimeline(java.nio.file.Path.of(timeline));
                        }
                        lines.add(String.format(java.util.Locale.ROOT,
                                "phase %d %s: %s msgs/s (asked %s), matched %s reads/s; p50 %s / p99 %s ms of %s probes; "
                                        + "slowest by second %s; engine CPU %s %%, generator %s %%; stage means ms %s; "
                                        + "engine threads [run %%, wait %%] %s",
                                i, s.name(), p.get("msgsPerSecond"), p.get("rateLimit"), p.get("readsMatchedPerSecond"),
                                p.get("latencyP50Ms"), p.get("latencyP99Ms"), p.get("probes"), p.get("latencyMaxMsBySecond"),
                                p.get("targetCpuPercent"), p.get("generatorCpuPercent"), p.get("alertStageMeanMs"),
                                p.get("targetThreadsRunWaitPercent"))
                                + (p.containsKey("probeHopsP50P99Ms") ? "; probe hops p50 / p99 ms " + p.get("probeHopsP50P99Ms") : ""));
                    }
                }
                System.out.println();
                lines.forEach(System.out::println);
            }
        } finally {
            group.shutdownGracefully();
            probeGroup.shutdownGracefully();
        }
    }
}
