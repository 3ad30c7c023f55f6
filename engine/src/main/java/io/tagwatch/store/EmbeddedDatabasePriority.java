package io.tagwatch.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded PostgreSQL's processes behind the engine's alert path for CPU on a shared machine
 * (Linux with autogroup scheduling, the default of desktop and many server kernels).
 *
 * <p>With autogroup, the scheduler shares CPU between sessions first, then between a session's threads,
 * and PostgreSQL makes every process it starts a session of its own: each backend — the sighting
 * writer's COPY among them — weighed as much as the whole engine, match thread, event loops and all.
 * A woken alert-path thread then waited behind a database backend for a slice or a tick (issue 8's (b)
 * at 2.7 M reads/s on two vCPUs: alert p99 median 6.5 ms; with the database's sessions at nice 10,
 * 4.4 ms, twelve phases each; nice 19 no better — benchmarks/RESULTS.md, session 15). A thread of its
 * own therefore sets the autogroup nice ({@code /proc/<pid>/autogroup}) of the postmaster and of every
 * child it has started, and looks for new children every {@link #RECHECK_MILLIS} ms (pooled
 * connections are long-lived; autovacuum workers come and go). The database still gets every CPU
 * cycle the engine leaves idle; it only yields when both want the same CPU. Raising a nice value
 * needs no privilege, but the kernel takes one autogroup change in 100 ms from an unprivileged
 * process, so changes are spaced out.
 *
 * <p>Where autogroup is off or absent (another OS, a kernel without it, a container where
 * {@code /proc} is read-only) this does nothing and says so once. Thread-safe.
 */
final class EmbeddedDatabasePriority implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabasePriority.class);

    /** The autogroup nice given to the database's sessions: weight 110 against the engine's 1,024. */
    static final int NICE = 10;
    static final long RECHECK_MILLIS = 2_000;
    /** The kernel's limit for an unprivileged autogroup change is one per 100 ms (HZ / 10). */
    private static final long CHANGE_SPACING_MILLIS = 110;
    private static final Path AUTOGROUP_ENABLED = Path.of("/proc/sys/kernel/sched_autogroup_enabled");

    private final Path postmasterPidFile;
    /** The engine's own autogroup ({@code /autogroup-N}), never changed. */
    private final String ours;
    private final Thread thread;
    private volatile boolean closed;

    private EmbeddedDatabasePriority(Path dataDir, String ours) {
        this.postmasterPidFile = dataDir.resolve("postmaster.pid");
        this.ours = ours;
        this.thread = new Thread(this::run, "db-priority");
        this.thread.setDaemon(true);
    }

    /**
     * Starts keeping the processes of the PostgreSQL whose data directory is {@code dataDir} at
     * {@link #NICE}, or returns null (and logs why) where this kernel has no autogroup scheduling.
     */
    static EmbeddedDatabasePriority start(Path dataDir) {
        String ours;
        try {
            if (!autogroupOn()) {
                log.info("embedded PostgreSQL at the engine's priority: no autogroup scheduling here ({} is not 1)", AUTOGROUP_ENABLED);
                return null;
            }
            ours = groupOf(Files.readString(Path.of("/proc/self/autogroup"), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            log.info("embedded PostgreSQL at the engine's priority: cannot read its autogroup: {}", e.toString());
            return null;
        }
        EmbeddedDatabasePriority p = new EmbeddedDatabasePriority(dataDir, ours);
        p.thread.start();
        return p;
    }

    /** Whether this kernel schedules by autogroup ({@link #AUTOGROUP_ENABLED} reads 1). */
    static boolean autogroupOn() throws IOException {
        return Files.isReadable(AUTOGROUP_ENABLED) && Files.readString(AUTOGROUP_ENABLED).trim().equals("1");
    }

    private void run() {
        boolean told = false;
        while (!closed) {
            try {
                int changed = applyOnce();
                if (changed > 0 && !told) {
                    log.info("embedded PostgreSQL's processes at autogroup nice {}, behind the alert path for CPU", NICE);
                    told = true;
                }
                TimeUnit.MILLISECONDS.sleep(RECHECK_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                // not ours to change (another user's server, a read-only /proc): say so and stop trying
                log.warn("cannot set the embedded PostgreSQL's autogroup nice; it keeps the engine's priority: {}", e.toString());
                return;
            }
        }
    }

    /**
     * One pass: every database process whose session is not at {@link #NICE} yet gets it, changes spaced
     * by the kernel's limit. Returns how many were changed.
     */
    int applyOnce() throws IOException, InterruptedException {
        int changed = 0;
        for (long pid : processes()) {
            Path autogroup = Path.of("/proc", Long.toString(pid), "autogroup");
            String current;
            try {
                current = Files.readString(autogroup, StandardCharsets.US_ASCII);
            } catch (IOException gone) {
                continue; // the process exited meanwhile
            }
            if (!toLower(current, ours)) {
                continue;
            }
            if (changed > 0) {
                TimeUnit.MILLISECONDS.sleep(CHANGE_SPACING_MILLIS);
            }
            try {
                Files.writeString(autogroup, Integer.toString(NICE), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                if (!Files.exists(autogroup) || String.valueOf(e.getMessage()).contains("temporarily unavailable")) {
                    continue; // exited meanwhile, or the kernel's rate limit: the next pass
                }
                throw e;
            }
            changed++;
        }
        return changed;
    }

    /**
     * Whether a process whose {@code /proc/<pid>/autogroup} reads {@code line} is to be set to {@link #NICE}:
     * not when it is there already, nor when it shares the engine's own session (never demote the engine),
     * nor when the line is empty — the kernel's answer for a process in the root autogroup, a session
     * never started by {@code setsid} since boot (a CI job started straight from a container's init is;
     * then {@code ours} is empty too), whose nice cannot change without the whole machine's.
     */
    static boolean toLower(String line, String ours) {
        if (line.isBlank()) {
            return false;
        }
        return niceOf(line) != NICE && !groupOf(line).equals(ours);
    }

    /** The postmaster (the first line of {@code postmaster.pid}) and the processes it started. */
    List<Long> processes() {
        List<Long> pids = new ArrayList<>();
        long postmaster;
        try {
            postmaster = Long.parseLong(Files.readAllLines(postmasterPidFile, StandardCharsets.US_ASCII).get(0).trim());
        } catch (IOException | RuntimeException notRunning) {
            return pids; // stopped, or starting: the next pass
        }
        ProcessHandle.of(postmaster)
                // a stale file's pid may since belong to another program
                .filter(pm -> pm.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .ifPresent(pm -> {
                    pids.add(pm.pid());
                    pm.children().forEach(c -> pids.add(c.pid()));
                });
        return pids;
    }

    /** The nice value in a {@code /proc/<pid>/autogroup} line such as {@code /autogroup-42 nice 0}. */
    static int niceOf(String autogroupLine) {
        int at = autogroupLine.lastIndexOf("nice ");
        if (at < 0) {
            throw new IllegalArgumentException("not an autogroup line: " + autogroupLine);
        }
        return Integer.parseInt(autogroupLine.substring(at + 5).trim());
    }

    /** The group in a {@code /proc/<pid>/autogroup} line: {@code /autogroup-42}. */
    static String groupOf(String autogroupLine) {
        return autogroupLine.substring(0, Math.max(0, autogroupLine.indexOf(' ')));
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
