package io.tagwatch.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the sightings store in shape, on one scheduled thread: day partitions exist for
 * yesterday to {@value #DAYS_AHEAD} days ahead (plain PostgreSQL), and the privacy-tiered
 * retention purge runs:
 * <ol>
 *   <li>sightings that started more than {@code retention.sightings} ago are removed by whole
 *       days (partition or TimescaleDB chunk dropped), except evidence (see {@link Evidence}),
 *       which moves to {@code sighting_evidence} in the same transaction;</li>
 *   <li>kept evidence is removed once its case has been closed for {@code retention.evidence}.</li>
 * </ol>
 * Per-minute reader traffic counts (no vehicle in them) are kept for {@link ReaderTraffic#KEPT}.
 * A failed run is logged and counted and tried again at the next interval; nothing is half-done
 * because each day's move-and-drop is one transaction.
 *
 * <p>{@link #runOnce} is for the maintenance thread and tests; do not call it concurrently.
 */
public final class StorageMaintenance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StorageMaintenance.class);
    static final int DAYS_AHEAD = 3;

    /** What one run did. */
    public record Result(int partitionsCreated, long sightingsRemoved, long evidenceRemoved) {
    }

    private final DataSource db;
    private final Duration retentionSightings;
    private final Duration retentionEvidence;
    private final Duration interval;
    private final boolean timescale;
    private final SightingPartitions partitions;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong removed = new AtomicLong();
    private ScheduledExecutorService scheduler;

    public StorageMaintenance(DataSource db, Duration retentionSightings, Duration retentionEvidence, Duration interval) {
        this.db = db;
        this.retentionSightings = retentionSightings;
        this.retentionEvidence = retentionEvidence;
        this.interval = interval;
        this.partitions = new SightingPartitions(db);
        try {
            this.timescale = TimescaleStorage.active(db);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell the storage path: " + e.getMessage(), e);
        }
        log.info("sightings storage: {}; retention sightings={} evidence={} (after the case closes)",
                timescale ? "TimescaleDB hypertable" : "daily partitions", retentionSightings, retentionEvidence);
    }

    /** Runs once now (so today's partition exists before the first write), then every interval. */
    public void start() {
        safeRun();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "storage-maintenance");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::safeRun, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void safeRun() {
        try {
            runOnce(Instant.now());
        } catch (SQLException | RuntimeException e) {
            failures.incrementAndGet();
            log.warn("storage maintenance failed (tried again in {}): {}", interval, e.toString());
        }
    }

    /** One maintenance pass as if the time were {@code now}. */
    public Result runOnce(Instant now) throws SQLException {
        int created = 0;
        if (!timescale) {
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            created = partitions.ensure(today.minusDays(1), today.plusDays(DAYS_AHEAD));
        }
        Instant cutoff = now.minus(retentionSightings);
        Instant evidenceCutoff = now.minus(retentionEvidence);
        long sightings = timescale ? TimescaleStorage.purgeBefore(db, cutoff, evidenceCutoff)
                : partitions.purgeBefore(cutoff, evidenceCutoff);
        long evidence;
        try (Connection c = db.getConnection()) {
            evidence = Evidence.expire(c, evidenceCutoff);
            ReaderTraffic.purgeBefore(c, now.minus(ReaderTraffic.KEPT));
        }
        removed.addAndGet(sightings + evidence);
        if (sightings + evidence > 0) {
            log.info("retention purge: {} sightings past {} removed, {} evidence rows past their case removed",
                    sightings, retentionSightings, evidence);
        }
        return new Result(created, sightings, evidence);
    }

    /**
     * Creates the day partitions from {@code first} to {@code last} (UTC) that are missing, for loading
     * history older than yesterday; returns how many were made. No-op on TimescaleDB (chunks make themselves).
     */
    public int ensureDays(LocalDate first, LocalDate last) throws SQLException {
        return timescale ? 0 : partitions.ensure(first, last);
    }

    /** Runs that failed (each retried at the next interval). */
    public long failures() {
        return failures.get();
    }

    /** Sighting and evidence rows removed by retention since start. */
    public long removed() {
        return removed.get();
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
