package io.tagwatch.ingest;

import io.tagwatch.alert.Alerts;
import io.tagwatch.alert.Hit;
import io.tagwatch.dedup.DedupWindow;
import io.tagwatch.dedup.SightingSink;
import io.tagwatch.dedup.WindowSnapshot;
import io.tagwatch.hotlist.HotLists;
import io.tagwatch.journal.JournalSink;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.registry.OpenTheft;
import io.tagwatch.registry.ReaderDirectory;
import io.tagwatch.registry.ReaderInfo;
import io.tagwatch.registry.Vehicle;
import io.tagwatch.store.SightingBatch;
import io.tagwatch.store.SightingRows;
import io.tagwatch.store.SightingWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * event loops --append--> journal --[match thread] writePending: write, journaled(batch, position)--> queue
 *     --> [match thread] dedup --first read--> hot lists --> alerts
 *                                                                   \--closed--> checkpoint(snapshot, position)
 *                                          [checkpoint thread] snapshot file, forced; position durable --> writer
 * </pre>
 *
 * <p>The match thread never stops for long, so an alert never waits behind housekeeping:
 * <ul>
 *   <li>the sweep that closes expired windows does a bounded slice of the table per step, paced
 *       so the whole table is covered every {@value #SWEEP_EVERY_MS} ms (a window that expired
 *       and is not swept yet is closed by its next read anyway, on the same rule);</li>
 *   <li>a checkpoint at position P takes the sightings closed before P and starts a copy of the
 *       windows open at P; the copy goes a bounded slice per step while matching continues
 *       ({@link DedupWindow#startSnapshot}: the copy stays the state at P). When it is complete
 *       the checkpoint thread writes {@code dedup-P.snap}, forces it, waits until the journal is
 *       durable up to P (a checkpoint never passes what is on disk), and only then hands the
 *       sightings with P to the writer. One checkpoint is in flight at a time; one that cannot
 *       be written carries its sightings into the next.</li>
 *   <li>when the dedup table is full, the windows that new ones push out are closed when no batch
 *       waits ({@link DedupWindow#evictExcess}, {@value #EVICT_SLICE} a step), not by the reads
 *       that open them, until the table is a quarter over its bound.</li>
 * </ul>
 * Snapshot-copy steps (and the idle sweep) come between turns of matching ({@code matchTurn}),
 * not between two queued batches; the sweep that follows the batches' own receive times comes
 * after each batch's reads (never ahead of a hit) and takes what the time since its last step
 * owes, about a thousand slots a millisecond (2^20 slots).
 *
 * <p>The match thread also serves the subscribers' MQTT connections ({@link MatchThreadIo}): it
 * waits for work in their event loop and serves them between turns, so a hit's alert is written
 * to the officers' sockets by the thread that raised it.
 *
 * <p>{@link #journaled} is thread-safe and lock-free. The match thread alone owns the window.
 */
public final class IngestPipeline implements JournalSink, AutoCloseable {
    /**
     * Diagnostics for benchmarks ({@code -Dtagwatch.alert.stamps=true}): each alert carries
     * {@code "stamps"}, the batch's arrival, journal write, match start and hit as
     * {@code System.nanoTime()} values, which a client on the same machine (the same monotonic
     * clock) can set beside its own send and receive times: where a slow alert's time went, hop by
     * hop. Off by default: the values mean nothing off the machine.
     */
    static final boolean ALERT_STAMPS = Boolean.getBoolean("tagwatch.alert.stamps");
    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);
    /**
     * The sweep covers the whole dedup table within this time, so a sighting is handed on at
     * most this long after its window expired. Each pass walks every slot (2^20 by default, 15 ms
     * here): at 250 ms it was a quarter of the match thread's samples under the batch load (JFR).
     */
    static final long SWEEP_EVERY_MS = 1_000;
    /**
     * Slots of the dedup table one step of the sweep or of a snapshot copy walks: 0.2 ms or less
     * here with the table full (16,384 slots took 0.5–0.7 ms then: a copy step with a probe's batch
     * queued behind it), where a whole table of 2^20 slots took 17 ms (sweep) and 250 ms (snapshot
     * written on the match thread) before (benchmarks/RESULTS.md, DedupPause).
     */
    static final int SLICE_SLOTS = 4_096;
    /**
     * Early closes of a full dedup table done in one step, when no batch waits (about 0.1 ms). A new
     * window does not close another first unless the table is over its headroom (a quarter of
     * {@code --max-open-sightings}): a batch, and the hit in it, does not pay for the windows it
     * pushes out. JFR under a flood of new tags (every read a new window): those early closes were
     * about half of the match thread, and a probe behind a backlog waited for them batch by batch.
     */
    public static final int EVICT_SLICE = 1_024;
    /**
     * The longest the match thread matches queued batches before it takes the next housekeeping
     * step (when batches keep coming). Before, a step came after every batch: with one read per
     * batch a snapshot copy took the thread for 30–50 ms in a row while batches queued behind it.
     */
    static final long MATCH_TURN_NANOS = 1_000_000;
    /**
     * A checkpoint that comes early because many sightings closed waits this many times the
     * last checkpoint's duration (copy start to file forced): found with JFR under load, where
     * at 500,000 open windows back-to-back snapshots took two thirds of the match thread.
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
    /** A reader's id by its directory index: how closed sightings' rows and checkpoints name readers. */
    private final java.util.function.IntFunction<String> readerIdOf;
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
    /** The subscribers' connections, served on this thread; where it waits for work. */
    private final MatchThreadIo io;
    private final ExecutorService checkpointThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ingest-checkpoint");
        t.setDaemon(true);
        return t;
    });
    /** True from a snapshot copy's hand-off until its checkpoint is written (or given up). */
    private volatile boolean checkpointBusy;
    private volatile long snapshotCostNanos;
    private volatile long lastSnapshotEnd;
    /** Sightings of checkpoints that could not be written: they go with the next one. */
    private final ConcurrentLinkedQueue<SightingRows> carriedOver = new ConcurrentLinkedQueue<>();
    private volatile LongSupplier durablePosition = () -> Long.MAX_VALUE;
    /** The journal this thread writes ({@link #drive}); by default nothing (a journal with its own writer). */
    private volatile java.util.function.BooleanSupplier writePending = () -> false;
    private volatile boolean running = true;

    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong queuedReads = new AtomicLong();
    private final AtomicLong unknownReader = new AtomicLong();
    // match thread state
    private SightingRows closedSinceCheckpoint;
    private long matchedEnd;
    private long checkpointedEnd;
    private long lastSweep;
    private long sweepCredit;
    private long nextCheckpoint;
    private final WindowSnapshot snapshot = new WindowSnapshot();
    private long snapshotPosition;
    private SightingRows snapshotSightings;
    private long snapshotStarted;
    /** What the look-ahead loads of the last batch read ({@code match}): kept so they are not optimised away. */
    private long touched;
    /** System.nanoTime() when the match thread took the batch it is matching (for the alert's stage timings). */
    private long matchStart;
    /** The last checkpoint's failure, or null; checkpoint thread only (a repeat is logged without its trace). */
    private String lastCheckpointFailure;
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
        this.readerIdOf = i -> readers.byIndex(i).id();
        this.closedSinceCheckpoint = new SightingRows(readerIdOf);
        this.alerts = alerts;
        this.writer = writer;
        this.dedup = new DedupWindow(dedupWindowMs, maxOpenSightings, maxOpenSightings / 4);
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
        this.io = new MatchThreadIo();
        this.thread = new Thread(this::run, "ingest-match");
        this.thread.setDaemon(true);
        io.ownedBy(thread);
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

    /**
     * Has the match thread write the journal's pending appends ({@code writePending}: the
     * journal's {@link io.tagwatch.journal.FileJournal#writePending}) before each turn of
     * matching, so a batch is matched by the thread that wrote it, with no hand-off between
     * (the journal then wakes this thread through {@link #appended}).
     */
    public void drive(java.util.function.BooleanSupplier writePending) {
        this.writePending = writePending;
        io.signal();
    }

    /** Any thread: a batch was appended to the journal this thread drives. */
    public void appended() {
        io.signal();
    }

    /** Where the journal's durable position comes from; a checkpoint never passes it. */
    public void durablePosition(LongSupplier supplier) {
        this.durablePosition = supplier;
    }

    @Override
    public void journaled(ReadBatch batch, long start, long end) {
        batches.incrementAndGet();
        queuedReads.addAndGet(batch.size());
        queue.offer(new Entry(batch, end));
        queued.incrementAndGet();
        if (Thread.currentThread() != thread) {
            io.signal(); // written here by this thread, it is matched in this turn
        }
    }

    /**
     * The event loop the subscribers' connections (officers, consoles) move to: the match
     * thread's own, so the alerts it raises are written to them without a hand-off.
     */
    public io.netty.channel.EventLoop subscriberLoop() {
        return io.eventLoop();
    }

    /** Reads journaled and not yet matched (held in the heap until the match thread gets to them). */
    public long queuedReads() {
        return queuedReads.get();
    }

    public IngestStats stats() {
        return new IngestStats(batches.get(), reads, opened, closed, hits,
                dedup.openWindows(), dedup.overflows(), queued.get());
    }

    private void run() {
        nextCheckpoint = System.nanoTime() + checkpointEveryNanos;
        while (running) {
            writePending.getAsBoolean();
            boolean matched = matchTurn();
            if (dedup.excess() > 0 && queue.isEmpty()) {
                dedup.evictExcess(EVICT_SLICE, collect);
            }
            if (!matched && !dedup.snapshotInProgress() && dedup.excess() == 0) {
                io.idle(idlePark());
                if (queue.isEmpty()) {
                    sweep(System.currentTimeMillis());
                }
            } else {
                io.serveIfDue();
            }
            maybeCheckpoint(false);
        }
        Entry rest;
        while ((rest = queue.poll()) != null) {
            match(rest);
        }
        if (dedup.snapshotInProgress()) {
            maybeCheckpoint(true); // completes the copy in progress
        }
        awaitCheckpointIdle();
        closed += dedup.closeAll(collect);
        maybeCheckpoint(true);
        io.shutDown();
        checkpointThread.shutdown();
        try {
            if (!checkpointThread.awaitTermination(20, TimeUnit.SECONDS)) {
                log.warn("last checkpoint not written within 20 s at shutdown");
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One turn of matching: queued batches in order until the queue is empty or the turn has
     * lasted {@link #MATCH_TURN_NANOS}. Housekeeping steps come between turns, never between
     * two queued batches, so a batch waits for at most one step whatever the batches' size.
     *
     * @return false when nothing was queued
     */
    private boolean matchTurn() {
        Entry e = queue.poll();
        if (e == null) {
            return false;
        }
        long turnEnd = System.nanoTime() + MATCH_TURN_NANOS;
        do {
            queued.decrementAndGet();
            match(e);
            queuedReads.addAndGet(-e.batch().size());
        } while (matchStart - turnEnd < 0 && (e = queue.poll()) != null);
        return true;
    }

    /** Idle, the thread still wakes often enough to sweep the table in slices within the period. */
    private long idlePark() {
        long ms = dedup.openWindows() == 0 ? SWEEP_EVERY_MS
                : Math.max(1, SWEEP_EVERY_MS * SLICE_SLOTS / dedup.slots());
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /**
     * One step of the sweep: as many slots as the time since the last step is of the sweep
     * period (so the table is covered once a period), at most {@link #SLICE_SLOTS}; what is left
     * is done at the next steps.
     */
    private void sweep(long now) {
        long elapsed = now - lastSweep;
        if (elapsed <= 0) {
            return;
        }
        lastSweep = now;
        long slots = dedup.slots();
        sweepCredit = Math.min(slots, sweepCredit + slots * Math.min(elapsed, SWEEP_EVERY_MS) / SWEEP_EVERY_MS);
        int n = (int) Math.min(SLICE_SLOTS, sweepCredit);
        if (n > 0) {
            sweepCredit -= n;
            closed += dedup.expireSome(now, n, collect);
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
        matchStart = System.nanoTime();
        final int reader = b.readerIndex();
        final long arrival = b.receivedAt();
        final String district = readers.byIndex(reader).district();
        final int n = b.size();
        long newSightings = 0;
        // The batch's slots first, all of them: loads that do not wait on one another, so their
        // cache misses overlap instead of stalling the loop below one read at a time.
        if (n > 1) {
            long touched = 0;
            for (int i = 0; i < n; i++) {
                touched += dedup.touch(b.tag(i), reader);
            }
            if (cloned != null) {
                for (int i = 0; i < n; i++) {
                    touched += cloned.touch(b.tag(i));
                }
            }
            this.touched = touched;
        }
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
        // Expiry on the batches' own receive times, so replay closes windows as live did. After
        // the batch's reads, not before: a sweep step (up to SLICE_SLOTS slots) ahead of them was
        // most of the time from a probe's arrival to its hit (0.2 ms of 0.25 at p50, idle).
        sweep(b.receivedAt());
    }

    /**
     * Starts a checkpoint when one is due, or takes the next step of the snapshot copy in
     * progress; {@code force} (shutdown) does the whole copy at once.
     */
    private void maybeCheckpoint(boolean force) {
        int slice = force ? Integer.MAX_VALUE : SLICE_SLOTS;
        if (dedup.snapshotInProgress()) {
            if (dedup.continueSnapshot(slice)) {
                handOffCheckpoint();
            }
            return;
        }
        if (checkpointBusy) {
            return; // one checkpoint at a time: the next starts when this one is written
        }
        long now = System.nanoTime();
        // Early, for many closed sightings — but never more rows of snapshot than of sightings:
        // with a full table (524,288 windows) a checkpoint every 5,000 rows copied and wrote the
        // whole table twice a second, a third of a core for a hundredth of the rows (JFR).
        boolean rowsDue = closedSinceCheckpoint.size() >= Math.max(checkpointRows, dedup.openWindows())
                && now - lastSnapshotEnd >= COST_SPACING * snapshotCostNanos;
        boolean due = force || now - nextCheckpoint >= 0 || rowsDue;
        if (!due || (matchedEnd == checkpointedEnd && closedSinceCheckpoint.isEmpty() && carriedOver.isEmpty())) {
            return;
        }
        nextCheckpoint = now + checkpointEveryNanos;
        snapshotPosition = matchedEnd;
        snapshotSightings = closedSinceCheckpoint;
        SightingRows earlier;
        while ((earlier = carriedOver.poll()) != null) {
            snapshotSightings.addAll(earlier);
            earlier.release();
        }
        closedSinceCheckpoint = new SightingRows(readerIdOf);
        snapshotStarted = now;
        dedup.startSnapshot(snapshot);
        if (dedup.continueSnapshot(slice)) {
            handOffCheckpoint();
        }
    }

    /** The copy at {@code snapshotPosition} is complete: the checkpoint thread takes it from here. */
    private void handOffCheckpoint() {
        long position = snapshotPosition;
        SightingRows sightings = snapshotSightings;
        long started = snapshotStarted;
        snapshotSightings = null;
        checkpointedEnd = position;
        checkpointBusy = true;
        checkpointThread.execute(() -> writeCheckpoint(position, sightings, started));
    }

    /** On the checkpoint thread: the snapshot file, then (with the journal durable) the writer. */
    private void writeCheckpoint(long position, SightingRows sightings, long started) {
        try {
            checkpoints.write(position, snapshot, readerIdOf);
            lastCheckpointFailure = null;
            if (awaitDurable(position)) {
                writer.offer(new SightingBatch(sightings, position));
            } else {
                log.warn("journal not durable up to position={} after 1 s; checkpoint postponed", position);
                carriedOver.add(sightings);
            }
        } catch (IOException | RuntimeException ex) {
            String failure = ex.toString();
            if (failure.equals(lastCheckpointFailure)) { // every checkpoint interval while the disk stays full
                log.error("dedup snapshot at position={} not written ({}, as before); checkpoint skipped", position, failure);
            } else {
                log.error("dedup snapshot at position={} not written; checkpoint skipped", position, ex);
            }
            lastCheckpointFailure = failure;
            carriedOver.add(sightings);
        } finally {
            long end = System.nanoTime();
            snapshotCostNanos = end - started;
            lastSnapshotEnd = end;
            checkpointBusy = false;
        }
    }

    /** A checkpoint must not pass what is on disk, or it could outlive batches a crash takes back. */
    private boolean awaitDurable(long position) {
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (durablePosition.getAsLong() < position) {
            if (System.nanoTime() - waitUntil >= 0) {
                return false;
            }
            LockSupport.parkNanos(100_000);
        }
        return true;
    }

    private void awaitCheckpointIdle() {
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (checkpointBusy && System.nanoTime() - waitUntil < 0) {
            LockSupport.parkNanos(1_000_000);
        }
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
        send(b, new Hit(hitId(tag, r.id(), b.timestamp(i)), "cloned", hotLists.registeredVersion(), "implied-speed",
                tag, 0, 0, null, null, null, null, r.id(), r.name(), r.lat(), r.lon(), r.district(), b.timestamp(i),
                b.receivedAt(), b.rssi(i), 0, cloned.lastEvidence()));
    }

    private void raiseUnregistered(ReadBatch b, int i) {
        ReaderInfo r = readers.byIndex(b.readerIndex());
        long tag = b.tag(i);
        hits++;
        send(b, new Hit(hitId(tag, r.id(), b.timestamp(i)), "unregistered", hotLists.registeredVersion(),
                "unregistered-tag", tag, 0, 0, null, null, null, null,
                r.id(), r.name(), r.lat(), r.lon(), r.district(), b.timestamp(i), b.receivedAt(), b.rssi(i), 0, null));
    }

    private void raiseWatched(io.tagwatch.registry.WatchEntry w, ReadBatch b, int i) {
        ReaderInfo r = readers.byIndex(b.readerIndex());
        Vehicle v = w.vehicle();
        hits++;
        send(b, new Hit(hitId(v.tag(), r.id(), b.timestamp(i)), "watchlist", hotLists.stolenVersion(),
                "watchlist-entry", v.tag(), v.id(), 0, v.plate(), v.kind(), v.brand(), v.color(),
                r.id(), r.name(), r.lat(), r.lon(), r.district(), b.timestamp(i), b.receivedAt(), b.rssi(i), w.id(), w.reason()));
    }

    private void raise(OpenTheft theft, ReadBatch b, int i) {
        ReaderInfo r = readers.byIndex(b.readerIndex());
        Vehicle v = theft.vehicle();
        hits++;
        send(b, new Hit(hitId(v.tag(), r.id(), b.timestamp(i)), "stolen", hotLists.stolenVersion(),
                "stolen-first-read", v.tag(), v.id(), theft.theftReportId(), v.plate(), v.kind(), v.brand(), v.color(),
                r.id(), r.name(), r.lat(), r.lon(), r.district(), b.timestamp(i), b.receivedAt(), b.rssi(i), 0, null),
                incidents.passed(theft.theftReportId(), r, b.timestamp(i)));
    }

    /** Raises a hit of batch {@code b}, recording how long the batch took to get here. */
    private void send(ReadBatch b, Hit hit) {
        send(b, hit, java.util.Map.of());
    }

    private void send(ReadBatch b, Hit hit, java.util.Map<String, Object> extra) {
        send(alerts, b.arrivalNanos(), b.journaledNanos(), matchStart, hit, extra);
    }

    /** Raises {@code hit}, recording its stages; the hit path's one way out, the warm-up's as well. */
    private static void send(Alerts alerts, long arrivalNanos, long journaledNanos, long matchStart, Hit hit,
                             java.util.Map<String, Object> extra) {
        long now = System.nanoTime();
        alerts.stages().raised(arrivalNanos, journaledNanos, matchStart, now);
        if (ALERT_STAMPS) {
            extra = new java.util.HashMap<>(extra);
            extra.put("stamps", arrivalNanos + " " + journaledNanos + " " + matchStart + " " + now);
        }
        alerts.raise(hit, extra);
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

    /**
     * Compiles the hit path before the first hit. Hits are rare — a city has a few a day — so the
     * code a hit takes would otherwise run interpreted: serialising an alert took ~300 µs so, and the
     * rest of an alert's way to the officer's socket stayed interpreted for the first minutes of a
     * benchmark (benchmarks/RESULTS.md, sessions 6 and 19). Takes {@code rounds} made-up stolen-vehicle
     * hits through the hit's identity, its incident, its stage timings and {@link Alerts#raise}
     * (serialising, publishing) to {@code delivery}, timed in {@code meters}. A few thousand rounds
     * get the path compiled by C1, with profiling; fewer than the optimising compiler waits for, on
     * purpose: its code, made from made-up hits alone, was thrown away at the first real hit that took
     * a branch they never did, and the path went back to the interpreter. C2 compiles it later from
     * real hits, where there are many. Run once at start, on a thread of its own; stores nothing and
     * reaches no subscriber of the node.
     */
    public static void warmUp(int rounds, io.tagwatch.alert.AlertPublisher delivery,
                              io.micrometer.core.instrument.MeterRegistry meters) {
        long started = System.nanoTime();
        ReaderInfo[] passed = {new ReaderInfo(0, "warm-up-1", "warm-up", 52.37, 4.89, "warm-up"),
                new ReaderInfo(1, "warm-up-2", "warm-up", 52.38, 4.90, "warm-up")};
        Incidents incidents = new Incidents(1);
        try (Alerts alerts = Alerts.unstored(delivery, meters)) {
            for (int i = 0; i < rounds; i++) {
                ReaderInfo r = passed[i & 1];
                long now = System.currentTimeMillis();
                java.util.Map<String, Object> incident = incidents.passed(1, r, started / 1_000_000 + i);
                Hit hit = new Hit(hitId(1, r.id(), now + i), "stolen", 1, "stolen-first-read", 1, 1, 1, "WARM-UP",
                        "ebike", "brand", "color", r.id(), r.name(), r.lat(), r.lon(), r.district(), now, now, -60, 0, null);
                long t = System.nanoTime();
                send(alerts, t, t, t, hit, (i & 3) == 0 ? java.util.Map.of() : incident);
                if ((i & 1023) == 1023) {
                    alerts.discardUnstored();
                }
            }
        }
        log.info("hit path compiled: {} made-up hits in {} ms", rounds, (System.nanoTime() - started) / 1_000_000);
    }

    private void sightingClosed(long tag, int readerIndex, long first, long last, int count, int bestRssi) {
        closedSinceCheckpoint.add(tag, readerIndex, first, last, count, bestRssi);
    }

    /** Matches what is queued, closes every open window, and hands the last checkpoint to the writer. */
    @Override
    public void close() {
        running = false;
        io.signal();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("ingest stopped {}", stats());
    }
}
