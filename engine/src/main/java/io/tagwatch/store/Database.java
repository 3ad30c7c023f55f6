package io.tagwatch.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tagwatch.config.EngineConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's PostgreSQL: an external server when a URL is configured, otherwise an
 * embedded PostgreSQL 17 whose data lives under {@code <data-dir>/postgres} and survives
 * restarts. Migrations from the {@code schema} module are applied on open.
 *
 * <p>Thread-safe: the pooled {@link DataSource} is shared by every component.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    /** How long an earlier engine's postmaster gets to stop (see {@link #stopOrphanedPostmaster}). */
    private static final long ORPHAN_STOP_SECONDS = 120;

    private final EmbeddedPostgres embedded;
    /** Null with an external server, or where the kernel has no autogroup scheduling. */
    private final EmbeddedDatabasePriority embeddedPriority;
    private final HikariDataSource pool;
    /** Runs {@link #answers}'s checks, one at a time. */
    private final java.util.concurrent.ExecutorService checker = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "db-check");
        t.setDaemon(true);
        return t;
    });
    /** The check in progress or last done; guarded by this. */
    private java.util.concurrent.CompletableFuture<Boolean> running;

    private Database(EmbeddedPostgres embedded, EmbeddedDatabasePriority embeddedPriority, HikariDataSource pool) {
        this.embedded = embedded;
        this.embeddedPriority = embeddedPriority;
        this.pool = pool;
    }

    /** Starts (or connects to) the database and migrates it to the newest schema. */
    public static Database open(EngineConfig config, io.micrometer.core.instrument.MeterRegistry meters) {
        EmbeddedPostgres embedded = null;
        EmbeddedDatabasePriority embeddedPriority = null;
        String url = config.dbUrl();
        String user = config.dbUser();
        String password = config.dbPassword();
        if (url == null) {
            Path dir = config.dataDir().resolve("postgres");
            embedded = startEmbedded(dir);
            embeddedPriority = EmbeddedDatabasePriority.start(dir);
            url = embedded.getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = null;
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        if (user != null) {
            hc.setUsername(user);
        }
        if (password != null) {
            hc.setPassword(password);
        }
        hc.setPoolName("tagwatch-db");
        hc.setMetricRegistry(meters); // hikaricp_connections_* in /metrics
        hc.setMaximumPoolSize(10); // one is held by the list change listener
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(10_000);
        // Start even when the database is briefly unreachable; callers see the failure per query.
        hc.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(hc);
        try {
            migrate(pool);
        } catch (RuntimeException e) {
            pool.close();
            if (embeddedPriority != null) {
                embeddedPriority.close();
            }
            closeQuietly(embedded);
            throw new IllegalStateException("cannot migrate database url=" + url + ": " + e.getMessage(), e);
        }
        log.info("database ready url={} embedded={}", url, embedded != null);
        return new Database(embedded, embeddedPriority, pool);
    }

    /** Applies the migrations of the {@code schema} module (benchmarks and tests set up databases with it). */
    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    private static EmbeddedPostgres startEmbedded(Path dir) {
        try {
            Files.createDirectories(dir);
            stopOrphanedPostmaster(dir);
            log.info("starting embedded PostgreSQL dir={}", dir.toAbsolutePath());
            return durable(EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    // The engine stops the database itself, after the writers drained: a JVM hook of
                    // its own would stop it under them on SIGTERM.
                    .setRegisterShutdownHook(false)
                    .setServerConfig("shared_buffers", embeddedSharedBuffersMb() + "MB"))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL dir=" + dir.toAbsolutePath() + ": "
                    + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"), e);
        } catch (IllegalStateException e) {
            // The library's lock file is held: by another process ("could not lock ..."), or by this one.
            if (e instanceof java.nio.channels.OverlappingFileLockException
                    || String.valueOf(e.getMessage()).startsWith("could not lock")) {
                throw new IllegalStateException("the data directory is in use: the embedded database in "
                        + dir.toAbsolutePath() + " is held by another TagWatch process (an engine or an import); "
                        + "stop it first, or give another --data-dir", e);
            }
            throw e;
        }
    }

    /**
     * Stops a postmaster left running on {@code dir} by an engine that did not stop — killed with
     * SIGKILL, or its JVM crashed: PostgreSQL's processes outlive the JVM that started them, and
     * the next start on the directory failed ("cannot start embedded PostgreSQL"). Only when no
     * live process holds the directory's lock (the library's {@code epg-lock}, held by whoever runs
     * the database), and only the postmaster of this very directory. A smart shutdown (SIGTERM):
     * the dead engine's connections are gone, so it checkpoints and exits at once; committed
     * transactions are kept either way.
     */
    static void stopOrphanedPostmaster(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (RuntimeException e) {
            return; // not PostgreSQL's format: let PostgreSQL judge its own lock file
        }
        ProcessHandle postmaster = ProcessHandle.of(pid).filter(p -> isPostmasterOf(p, dir)).orElse(null);
        if (postmaster == null) {
            return; // stale (the process is gone): PostgreSQL starts over it itself
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("epg-lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock lock = ch.tryLock()) {
            if (lock == null) {
                return; // another process runs it: the start says the directory is in use
            }
            log.warn("the embedded PostgreSQL of an engine that did not stop (killed?) still runs on {} (pid {}): "
                    + "stopping it before starting again", dir.toAbsolutePath(), pid);
            postmaster.destroy();
            postmaster.onExit().get(ORPHAN_STOP_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            log.info("the earlier embedded PostgreSQL (pid {}) stopped", pid);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            // this JVM runs it: the start says the directory is in use
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the embedded PostgreSQL of an earlier engine (pid " + pid + ") still runs on "
                    + dir.toAbsolutePath() + " and did not stop within " + ORPHAN_STOP_SECONDS + " s: stop it (kill -INT "
                    + pid + ") and start again", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the earlier embedded PostgreSQL (pid " + pid + ")", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot wait for the earlier embedded PostgreSQL (pid " + pid + ")", e);
        }
    }

    /** Whether {@code p} is a {@code postgres} server whose data directory ({@code -D}) is {@code dir}. */
    private static boolean isPostmasterOf(ProcessHandle p, Path dir) {
        ProcessHandle.Info info = p.info();
        String[] args = info.arguments().orElse(new String[0]);
        if (!info.command().map(c -> c.endsWith("/postgres")).orElse(false)) {
            return false;
        }
        Path ours = dir.toAbsolutePath().normalize();
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("-D") && Path.of(args[i + 1]).toAbsolutePath().normalize().equals(ours)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code b} with writes forced to disk and commits synchronous, as the engine's embedded server runs
     * (benchmarks use it to measure what the engine gets). The library starts PostgreSQL with -F (fsync
     * off) and synchronous_commit off: fine for tests, not for an engine whose journal deletes what a
     * committed checkpoint covers — a power loss could then lose acknowledged reads, or the database
     * itself. Settings given with -c come after -F on the command line and win.
     */
    public static EmbeddedPostgres.Builder durable(EmbeddedPostgres.Builder b) {
        return b.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
    }

    /**
     * The embedded server's shared buffers: an eighth of the machine's memory, from 128 MB (PostgreSQL's
     * default) to 2 GB. The default is too small for a city: one day's sightings index outgrows it
     * and every insert then fetches its B-tree page from the OS cache.
     */
    static long embeddedSharedBuffersMb() {
        long total = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        return Math.max(128, Math.min(2048, total / 8 / (1 << 20)));
    }

    /**
     * Whether the database answers within {@code timeout}: a pooled connection's check on a thread
     * of its own, one at a time, shared by callers that come while it runs. Readiness probes ask
     * this; while the database is down a connection waits for the pool's 10 s, longer than a
     * probe's timeout (docker/Dockerfile: 3 s), so the probe never saw the 503 and its reason.
     */
    public boolean answers(java.time.Duration timeout) {
        java.util.concurrent.CompletableFuture<Boolean> check;
        synchronized (this) {
            if (running == null || running.isDone()) {
                running = java.util.concurrent.CompletableFuture.supplyAsync(this::connectionValid, checker);
            }
            check = running;
        }
        try {
            return check.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean connectionValid() {
        try (java.sql.Connection c = pool.getConnection()) {
            return c.isValid(2);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        checker.shutdownNow();
        pool.close();
        if (embeddedPriority != null) {
            embeddedPriority.close();
        }
        closeQuietly(embedded);
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        if (pg == null) {
            return;
        }
        try {
            pg.close();
        } catch (IOException e) {
            log.warn("embedded PostgreSQL did not stop cleanly: {}", e.toString());
        }
    }
}
