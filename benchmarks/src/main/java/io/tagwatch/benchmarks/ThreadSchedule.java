package io.tagwatch.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where a process's threads spent a phase, from Linux's scheduler statistics
 * ({@code /proc/<pid>/task/<tid>/schedstat}: nanoseconds on a CPU, nanoseconds runnable but
 * waiting for one): per thread name (Netty's event loops summed under one name), the share of the
 * phase's wall time each spent running and waiting. On a busy machine the waiting column is what
 * an alert's hand-offs pay (session 6: the match thread waited for a CPU twice as long as it ran).
 */
final class ThreadSchedule {
    private final long pid;
    private final Map<String, long[]> start;
    private final long startNanos = System.nanoTime();

    private ThreadSchedule(long pid) {
        this.pid = pid;
        this.start = sample(pid);
    }

    /** Starts measuring the threads of {@code pid}; null when the scheduler statistics cannot be read. */
    static ThreadSchedule start(long pid) {
        return pid < 0 || !Files.isDirectory(Path.of("/proc", String.valueOf(pid), "task")) ? null : new ThreadSchedule(pid);
    }

    /**
     * Since the start: thread name → {running %, waiting %} of the wall time, for the threads that
     * ran at least 1 % of it, busiest first.
     */
    Map<String, List<Long>> runAndWaitPercent() {
        double wall = System.nanoTime() - startNanos;
        Map<String, long[]> end = sample(pid);
        Map<String, long[]> delta = new TreeMap<>();
        end.forEach((name, e) -> {
            long[] s = start.getOrDefault(name, new long[2]);
            delta.put(name, new long[] {e[0] - s[0], e[1] - s[1]});
        });
        Map<String, List<Long>> out = new LinkedHashMap<>();
        delta.entrySet().stream()
                .filter(e -> e.getValue()[0] >= wall / 100)
                .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> out.put(e.getKey(), List.of(Math.round(e.getValue()[0] / wall * 100),
                        Math.round(e.getValue()[1] / wall * 100))));
        return out;
    }

    /** Per thread name: {ns running, ns waiting}, summed over the threads of that name. */
    private static Map<String, long[]> sample(long pid) {
        Map<String, long[]> byName = new TreeMap<>();
        Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        try (Stream<Path> ts = Files.list(tasks)) {
            ts.forEach(t -> {
                try {
                    String name = Files.readString(t.resolve("comm")).strip().replaceAll("-?\\d+$", "");
                    String[] f = Files.readString(t.resolve("schedstat")).strip().split("\\s+");
                    long[] sum = byName.computeIfAbsent(name, k -> new long[2]);
                    sum[0] += Long.parseLong(f[0]);
                    sum[1] += Long.parseLong(f[1]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException e) {
            // the process ended
        }
        return byName;
    }
}
