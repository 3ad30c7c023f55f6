package io.tagwatch.ingest;

import io.tagwatch.alert.Alerts;
import io.tagwatch.alert.Hit;
import io.tagwatch.dedup.DedupWindow;
import io.tagwatch.dedup.SightingSink;
import io.tagwatch.hotlist.HotLists;
import io.tagwatch.journal.JournalSink;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.registry.OpenTheft;
import io.tagwatch.registry.ReaderDirectory;
import io.tagwatch.registry.ReaderInfo;
import io.tagwatch.registry.Vehicle;
import io.tagwatch.store.Sighting;
import io.tagwatch.store.SightingBatch;
import io.tagwatch.store.SightingWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The match thread: every journaled batch, in journal order, runs read by read through the
 * dedup window and, on the first read of a sighting, the hot lists. Hits go to {@link Alerts}
 * at once. Closed sightings collect until a checkpoint, which snapshots the open windows at the
 * journal position reached and hands the sightings with that position to the
 * {@link SightingWriter}: the writer commits both in one transaction, so a restart resumes
 * from the snapshot and replays the journal after it, and every read lands in exactly one
 * committed sighting.
 *
 * <pre>
 * journal writer --journaled(batch, position)--> queue --> [match thread] dedup --first read--> hot lists --> alerts
 *                                                                   \--closed--> checkpoint(snapshot, position) --> writer
 * </pre>
 *
 * <p>{@link #journaled} is thread-safe and lock-free. The match thread alone owns the window.
 */
public final class IngestPipeline implements JournalSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);
    private static final long SWEEP_EVERY_MS = 250;
    /**
     * A sweep scans the whole dedup table and a snapshot writes every open window: with many
     * windows open each costs tens of milliseconds. So neither runs again before this many times
     * its last duration has passed, which keeps each under a fifth of the match thread (found
     * with JFR under load: at 500,000 open windows, row-triggered snapshots took two thirds of it).
     */
    private static final int COST_SPACING = 4;

    private record Entry(ReadBatch batch, long end) {
    }

    private record SuppressionKey(long tag, int reader) {
    }

    private final HotLists hotLists;
    private final ReaderDirectory readers;
    private final Alerts alerts;
    private final SightingWriter writer;
    private final DedupWindow dedup;
    private final CheckpointFiles checkpoints;
    private final long checkpointEveryNanos;
    private final int checkpointRows;
    private final SightingSink collect;
    private final boolean unregisteredHits;
    private final ClonedTagRule cloned;
    private final Incidents incidents = new Incidents(100_000);
    private final long suppressionMs;
    /** When each (tag, reader) last raised a hit: the same vehicle at the same reader is suppressed. */
    private final java.util.HashMap<SuppressionKey, Long> lastHit = new java.util.HashMap<>();
    private long lastSuppressionPrune;
    private volatile long suppressed;
    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile LongSupplier durablePosition = () -> Long.MAX_VALUE;
    private volatile boolean running = true;

    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong unknownReader = new AtomicLong();
    // match thread state
    private List<Sighting> closedSinceCheckpoint = new ArrayList<>();
    private long matchedEnd;
    private long checkpointedEnd;
    private long lastSweep;
    private long nextCheckpoint;
    private long sweepCostMs;
    private long snapshotCostNanos;
    private long lastSnapshotEnd;
    // written by the match thread only; volatile for readers of stats()
    private volatile long reads;
    private volatile long opened;
    private volatile long closed;
    private volatile long hits;

    /**
     * @param journalDir where the dedup snapshots of checkpoints live
     * @param checkpoint the committed checkpoint: its snapshot is restored before anything runs
     */
    public IngestPipeline(HotLists hotLists, ReaderDirectory readers, Alerts alerts, SightingWriter writer,
                          long dedupWindowMs, int maxOpenSightings, Path journalDir, long checkpoint,
                          long checkpointIntervalMs, int checkpointRows, boolean unregisteredHits, long suppressionMs,
                          ClonedTagRule cloned) {
        this.hotLists = hotLists;
        this.readers = readers;
        this.alerts = alerts;
        this.writer = writer;
        this.dedup = new DedupWindow(dedupWindowMs, maxOpenSightings);
        this.checkpoints = new CheckpointFiles(journalDir);
        this.checkpointEveryNanos = TimeUnit.MILLISECONDS.toNanos(checkpointIntervalMs);
        this.checkpointRows = checkpointRows;
        this.unregisteredHits = unregisteredHits;
        this.cloned = cloned;
        this.suppressionMs = suppressionMs;
        this.collect = this::sightingClosed;
        this.matchedEnd = checkpoint;
        this.checkpointedEnd = checkpoint;
        restore(checkpoint);
        this.thread = new Thread(this::run, "ingest-match");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void restore(long checkpoint) {
        try {
            boolean found = checkpoints.restore(checkpoint, dedup, id -> {
                ReaderInfo r = readers.byId(id);
                return r == null ? -1 : r.index();
            }, (tag, reader, first, last, count, best) -> log.warn(
                    "open window of a reader no longer provisioned dropped at restore tag={} reads={}", tag, count));
            if (!found && checkpoint > 0) {
                log.warn("no dedup snapshot for checkpoint={}: windows open then start afresh", checkpoint);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the dedup snapshot of checkpoint=" + checkpoint, e);
        }
    }

    /** Where the journal's durable position comes from; a checkpoint never passes it. */
    public void durablePosition(LongSupplier supplier) {
        this.durablePosition = supplier;
    }

    @Override
    public void journaled(ReadBatch batch, long start, long end) {
        batches.incrementAndGet();
        queue.offer(new Entry(batch, end));
        queued.incrementAndGet();
        LockSupport.unpark(thread);
    }

    public IngestStats stats() {
        return new IngestStats(batches.get(), reads, opened, closed, hits,
                dedup.openWindows(), dedup.overflows(), queued.get());
    }

    private void run() {
        nextCheckpoint = System.nanoTime() + checkpointEveryNanos;
        while (running) {
            Entry e = queue.poll();
            if (e != null) {
                queued.decrementAndGet();
                match(e);
            } else {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SWEEP_EVERY_MS));
                if (queue.isEmpty()) {
                    sweep(System.currentTimeMillis());
                }
            }
            maybeCheckpoint(false);
        }
        Entry rest;
        while ((rest = queue.poll()) != null) {
            match(rest);
        }
        closed += dedup.closeAll(collect);
        maybeCheckpoint(true);
    }

    private void sweep(long now) {
        if (now - lastSweep >= Math.max(SWEEP_EVERY_MS, COST_SPACING * sweepCostMs)) {
            lastSweep = now;
            long t0 = System.nanoTime();
            closed += dedup.expire(now, collect);
            sweepCostMs = (System.nanoTime() - t0) / 1_000_000;
        }
    }

    private void match(Entry e) {
        ReadBatch b = e.batch();
        if (b.readerIndex() < 0) {
            ReaderInfo r = readers.byId(b.readerId());
            if (r == null) {
                unknownReader.incrementAndGet();
                log.warn("journaled batch of unknown reader={} skipped ({} reads)", b.readerId(), b.size());
                matchedEnd = e.end();
                return;
            }
            b.source(b.readerId(), r.index(), b.receivedAt());
        }
        // Expiry on the batches' own receive times, so replay closes windows as live did.
        sweep(b.receivedAt());
        final int reader = b.readerIndex();
        final long arrival = b.receivedAt();
        final String district = readers.byIndex(reader).district();
        final int n = b.size();
        long newSightings = 0;
        for (int i = 0; i < n; i++) {
            long tag = b.tag(i);
            if (dedup.observe(tag, reader, b.timestamp(i), b.rssi(i), arrival, collect)) {
                newSightings++;
                OpenTheft theft = hotLists.stolen(tag);
                if (theft != null) {
                    if (cloned != null) {
                        cloned.check(tag, reader, b.timestamp(i)); // keeps its last position current
                    }
                    if (!suppressedAt(tag, reader, arrival)) {
                        raise(theft, b, i);
                    }
                } else if (cloned != null && cloned.check(tag, reader, b.timestamp(i)) && !suppressedAt(tag, reader, arrival)) {
                    raiseCloned(b, i);
                } else {
                    io.tagwatch.registry.WatchEntry watched = hotLists.watched(tag, district, arrival);
                    if (watched != null) {
                        if (!suppressedAt(tag, reader, arrival)) {
                            raiseWatched(watched, b, i);
                        }
                    } else if (unregisteredHits && !hotLists.registered(tag) && !suppressedAt(tag, reader, arrival)) {
                        raiseUnregistered(b, i);
                    }
                }
            }
        }
        reads += n;
        opened += newSightings;
        matchedEnd = e.end();
    }

    private void maybeCheckpoint(boolean force) {
        boolean rowsDue = closedSinceCheckpoint.size() >= checkpointRows
                && System.nanoTime() - lastSnapshotEnd >= COST_SPACING * snapshotCostNanos;
        boolean due = force || System.nanoTime() - nextCheckpoint >= 0 || rowsDue;
        if (!due || (matchedEnd == checkpointedEnd && closedSinceCheckpoint.isEmpty())) {
            return;
        }
        // A checkpoint must not pass what is on disk, or it could outlive batches a crash takes
        // back. Matching pauses here (for at most one fsync, normally) until the journal catches up.
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (durablePosition.getAsLong() < matchedEnd) {
            if (System.nanoTime() - waitUntil >= 0) {
                log.warn("journal not durable up to position={} after 1 s; checkpoint postponed", matchedEnd);
                nextCheckpoint = System.nanoTime() + checkpointEveryNanos;
                return;
            }
            LockSupport.parkNanos(100_000);
        }
        nextCheckpoint = System.nanoTime() + checkpointEveryNanos;
        try {
            long t0 = System.nanoTime();
            checkpoints.write(matchedEnd, dedup, i -> readers.byIndex(i).id());
            lastSnapshotEnd = System.nanoTime();
            snapshotCostNanos = lastSnapshotEnd - t0;
        } catch (IOException ex) {
            log.error("dedup snapshot at position={} not written; checkpoint skipped", matchedEnd, ex);
            return;
        }
        writer.offer(new SightingBatch(closedSinceCheckpoint, matchedEnd));
        closedSinceCheckpoint = new ArrayList<>();
        checkpointedEnd = matchedEnd;
    }

    /** After the writer committed a checkpoint: older snapshots can go. */
    public void checkpointCommitted(long position) {
        checkpoints.deleteBefore(position);
    }

    /** True (and counted) when this tag raised a hit at this reader within the suppression time. */
    private boolean suppressedAt(long tag, int reader, long now) {
        SuppressionKey key = new SuppressionKey(tag, reader);
        Long last = lastHit.get(key);
        if (last != null && now - last < suppressionMs) {
            suppressed++;
            return true;
        }
        lastHit.put(key, now);
        if (now - lastSuppressionPrune > suppressionMs) {
            lastSuppressionPrune = now;
            lastHit.values().removeIf(t -> now - t >= suppressionMs);
        }
        return false;
    }

    /** Hits suppressed because the same tag had a hit at the same reader shortly before. */
    public long suppressedHits() {
        return suppressed;
    }

    private void raiseCloned(ReadBatch b, int i) {
        ReaderInfo r = readers.byIndex(b.readerIndex());
        long tag = b.tag(i);
        hits++;
        alerts.raise(new Hit(hitId(tag, r.id(), b.timestamp(i)), "cloned", hotLists.registeredSize(), "implied-speed",
                tag, 0, 0, null, null, null, null, r.id(), r.name(), r.lat(), r.lon(), r.district(), b.timestamp(i),
                b.receivedAt(), b.rssi(i), 0, cloned.lastEvidence()));
    }

    private void raiseUnregistered(ReadBatch b, int i) {
        ReaderInfo r = readers.byIndex(b.readerIndex());
        long tag = b.tag(i);
        hits++;
        alerts.raise(new Hit(hitId(tag, r.id(), b.timestamp(i)), "unregistered", hotLists.registeredSize(),
                "unregistered-tag", tag, 0, 0, null, null, null, null,
                r.id(), r.name(), r.lat(), r.lon(), r.district(), b.timestamp(i), b.receivedAt(), b.rssi(i), 0, null));
    }

    private void raiseWatched(io.tagwatch.registry.WatchEntry w, ReadBatch b, int i) {
        ReaderInfo r = readers.byIndex(b.readerIndex());
        Vehicle v = w.vehicle();
        hits++;
        alerts.raise(new Hit(hitId(v.tag(), r.id(), b.timestamp(i)), "watchlist", hotLists.stolenVersion(),
                "watchlist-entry", v.tag(), v.id(), 0, v.plate(), v.kind(), v.brand(), v.color(),
                r.id(), r.name(), r.lat(), r.lon(), r.district(), b.timestamp(i), b.receivedAt(), b.rssi(i), w.id(), w.reason()));
    }

    private void raise(OpenTheft theft, ReadBatch b, int i) {
        ReaderInfo r = readers.byIndex(b.readerIndex());
        Vehicle v = theft.vehicle();
        hits++;
        alerts.raise(new Hit(hitId(v.tag(), r.id(), b.timestamp(i)), "stolen", hotLists.stolenVersion(),
                "stolen-first-read", v.tag(), v.id(), theft.theftReportId(), v.plate(), v.kind(), v.brand(), v.color(),
                r.id(), r.name(), r.lat(), r.lon(), r.district(), b.timestamp(i), b.receivedAt(), b.rssi(i), 0, null),
                incidents.passed(theft.theftReportId(), r, b.timestamp(i)));
    }

    /**
     * A hit is identified by the sighting that raised it (tag, reader, time of the first read),
     * so the same read matched again (replay, redelivery) is the same hit and is stored once.
     */
    static UUID hitId(long tag, String readerId, long firstRead) {
        byte[] id = readerId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(16 + id.length).putLong(tag).putLong(firstRead).put(id);
        return UUID.nameUUIDFromBytes(b.array());
    }

    private void sightingClosed(long tag, int readerIndex, long first, long last, int count, int bestRssi) {
        ReaderInfo r = readers.byIndex(readerIndex);
        closedSinceCheckpoint.add(new Sighting(tag, r.id(), first, last, count, bestRssi));
    }

    /** Matches what is queued, closes every open window, and hands the last checkpoint to the writer. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("ingest stopped {}", stats());
    }
}
