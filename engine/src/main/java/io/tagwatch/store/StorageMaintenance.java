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
 * Keeps the sightings store in shape, on one scheduled thread. On plain PostgreSQL, day partitions
 * exist for yesterday to {@value #DAYS_AHEAD} days ahead, every finished day gets its B-tree on
 * {@code (tag, first_seen)} (see {@link DayIndexes}: the day being written has only BRIN indexes), and
 * the BRIN summaries of today and yesterday are brought up to date. On both storage paths the
 * privacy-tiered retention purge runs:
 * <ol>
 *   <li>sightings that started more than {@code retention.sightings} ago are removed by whole
 *       days (partition or TimescaleDB chunk dropped), except evidence (see {@link Evidence}),
 *       which moves to {@code sighting_evidence} in the same transaction;</li>
 *   <li>kept evidence is removed once its case has been closed for {@code retention.evidence}.</li>
 * </ol>
 * Per-minute reader traffic counts (no vehicle in them) are kept for {@link ReaderTraffic#KEPT}.
 * A failed run is logged and counted and tried again at the next interval; nothing is half-done
 * because each day's move-and-drop is one transaction, and a failed index build is redone whole.
 * Runs come every interval and, in addition, {@link #AFTER_MIDNIGHT} after each midnight UTC, so a
 * day is indexed as soon as it is over.
 *
 * <p>{@link #runOnce} is for the maintenance thread and tests; do not call it concurrently.
 */
public final class StorageMaintenance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StorageMaintenance.class);
    static final int DAYS_AHEAD = 3;
    /** How long after midnight UTC the day's index is built: the last sightings of the day are written by then. */
    static final Duration AFTER_MIDNIGHT = Duration.ofMinutes(1);

    /** What one run did. */
    public record Result(int partitionsCreated, long sightingsRemoved, long evidenceRemoved, int dayIndexesBuilt) {
    }

    private final DataSource db;
    private final Duration retentionSightings;
    private final Duration retentionEvidence;
    private final Duration interval;
    private final boolean timescale;
    private final SightingPartitions partitions;
    private final DayIndexes dayIndexes;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong removed = new AtomicLong();
    private ScheduledExecutorService scheduler;

    public StorageMaintenance(DataSource db, Duration retentionSightings, Duration retentionEvidence, Duration interval) {
        this.db = db;
        this.retentionSightings = retentionSightings;
        this.retentionEvidence = retentionEvidence;
        this.interval = interval;
        this.partitions = new SightingPartitions(db);
        this.dayIndexes = new DayIndexes(db);
        try {
            this.timescale = TimescaleStorage.active(db);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell the storage path: " + e.getMessage(), e);
        }
        log.info("sightings storage: {}; retention sightings={} evidence={} (after the case closes)",
                timescale ? "TimescaleDB hypertable" : "daily partitions", retentionSightings, retentionEvidence);
    }

    /**
     * Runs once now (so today's partition exists before the first write, and any finished day left
     * without its index is indexed), then every interval and just after each midnight UTC.
     */
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "storage-maintenance");
            t.setDaemon(true);
            return t;
        });
        safeRun();
        scheduleNext();
    }

    private void scheduleNext() {
        scheduler.schedule(() -> {
            safeRun();
            if (!scheduler.isShutdown()) {
                scheduleNext();
            }
        }, nextDelay(Instant.now(), interval).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The wait before the next run: the interval, or less when midnight UTC (plus {@link #AFTER_MIDNIGHT}) comes first. */
    static Duration nextDelay(Instant now, Duration interval) {
        Instant afterMidnight = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()
                .plus(AFTER_MIDNIGHT);
        Duration untilThen = Duration.between(now, afterMidnight);
        return untilThen.compareTo(interval) < 0 ? untilThen : interval;
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
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (!timescale) {
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
        int indexed = 0;
        if (!timescale) {
            // After the purge: a day about to be dropped is not worth indexing.
            indexed = dayIndexes.buildFinished(partitions.days(), today);
            dayIndexes.summarize(today.minusDays(1));
            dayIndexes.summarize(today);
        }
        return new Result(created, sightings, evidence, indexed);
    }

    /**
     * Creates the day partitions from {@code first} to {@code last} (UTC) that are missing, for loading
     * history older than yesterday; returns how many were made. They get their B-tree at the next
     * {@link #runOnce} (build it after loading: one sort is cheaper than a descent per row).
     * No-op on TimescaleDB (chunks make themselves).
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
