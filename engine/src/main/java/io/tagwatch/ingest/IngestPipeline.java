package io.tagwatch.ingest;

import io.tagwatch.alert.Alerts;
import io.tagwatch.alert.Hit;
import io.tagwatch.dedup.DedupWindow;
import io.tagwatch.dedup.SightingSink;
import io.tagwatch.hotlist.HotLists;
import io.tagwatch.journal.Journal;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.registry.OpenTheft;
import io.tagwatch.registry.ReaderDirectory;
import io.tagwatch.registry.ReaderInfo;
import io.tagwatch.registry.Vehicle;
import io.tagwatch.store.Sighting;
import io.tagwatch.store.SightingWriter;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path after decode: each batch goes to the journal (which acknowledges it when it is
 * safe) and to the match thread, which runs every read through the dedup window and, on the
 * first read of a sighting, the hot lists. Hits go to {@link Alerts}; closed sightings to the
 * {@link SightingWriter}. Neither the journal nor the database is waited for here.
 *
 * <pre>
 * event loop --accept--> journal.append --fsync--> PUBACK
 *                 \-> queue --> [match thread] dedup --first read--> hot lists --hit--> alerts
 *                                                   \--closed--> sighting writer --COPY--> PostgreSQL
 * </pre>
 *
 * <p>{@link #accept} is thread-safe and lock-free. The match thread alone owns the dedup window.
 */
public final class IngestPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);
    private static final long EXPIRE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Journal journal;
    private final HotLists hotLists;
    private final ReaderDirectory readers;
    private final Alerts alerts;
    private final SightingWriter writer;
    private final DedupWindow dedup;
    private final SightingSink toWriter;
    private final ConcurrentLinkedQueue<ReadBatch> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong droppedByTime = new AtomicLong();
    // written by the match thread only; volatile for readers of stats()
    private volatile long reads;
    private volatile long opened;
    private volatile long closed;
    private volatile long hits;

    public IngestPipeline(Journal journal, HotLists hotLists, ReaderDirectory readers, Alerts alerts,
                          SightingWriter writer, long dedupWindowMs, int maxOpenSightings) {
        this.journal = journal;
        this.hotLists = hotLists;
        this.readers = readers;
        this.alerts = alerts;
        this.writer = writer;
        this.dedup = new DedupWindow(dedupWindowMs, maxOpenSightings);
        this.toWriter = this::sightingClosed;
        this.thread = new Thread(this::run, "ingest-match");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Takes a decoded batch whose source and times are resolved. {@code onDurable} runs (on
     * any thread) when the batch may be acknowledged.
     *
     * @return false when the batch was not taken (journal full): do not acknowledge
     */
    public boolean accept(ReadBatch batch, int droppedReads, Runnable onDurable) {
        if (!journal.append(batch, onDurable)) {
            return false;
        }
        batches.incrementAndGet();
        if (droppedReads > 0) {
            droppedByTime.addAndGet(droppedReads);
        }
        queue.offer(batch);
        queued.incrementAndGet();
        LockSupport.unpark(thread);
        return true;
    }

    public IngestStats stats() {
        return new IngestStats(batches.get(), reads, droppedByTime.get(), opened, closed, hits,
                dedup.openWindows(), dedup.overflows(), queued.get());
    }

    private void run() {
        long nextExpire = System.nanoTime() + EXPIRE_EVERY_NANOS;
        while (running) {
            ReadBatch batch = queue.poll();
            if (batch != null) {
                queued.decrementAndGet();
                match(batch);
            } else {
                LockSupport.parkNanos(EXPIRE_EVERY_NANOS);
            }
            long now = System.nanoTime();
            if (now - nextExpire >= 0) {
                nextExpire = now + EXPIRE_EVERY_NANOS;
                closed += dedup.expire(System.currentTimeMillis(), toWriter);
            }
        }
        ReadBatch rest;
        while ((rest = queue.poll()) != null) {
            match(rest);
        }
        closed += dedup.closeAll(toWriter);
    }

    private void match(ReadBatch b) {
        final int reader = b.readerIndex();
        final long arrival = b.receivedAt();
        final int n = b.size();
        long newSightings = 0;
        for (int i = 0; i < n; i++) {
            long tag = b.tag(i);
            if (dedup.observe(tag, reader, b.timestamp(i), b.rssi(i), arrival, toWriter)) {
                newSightings++;
                OpenTheft theft = hotLists.stolen(tag);
                if (theft != null) {
                    raise(theft, b, i);
                }
            }
        }
        reads += n;
        opened += newSightings;
    }

    private void raise(OpenTheft theft, ReadBatch b, int i) {
        ReaderInfo r = readers.byIndex(b.readerIndex());
        Vehicle v = theft.vehicle();
        hits++;
        alerts.raise(new Hit(UUID.randomUUID(), "stolen", hotLists.stolenVersion(), "stolen-first-read",
                v.tag(), v.id(), theft.theftReportId(), v.plate(), v.kind(), v.brand(), v.color(),
                r.id(), r.name(), r.lat(), r.lon(), r.district(), b.timestamp(i), b.receivedAt(), b.rssi(i)));
    }

    private void sightingClosed(long tag, int readerIndex, long first, long last, int count, int bestRssi) {
        ReaderInfo r = readers.byIndex(readerIndex);
        writer.offer(new Sighting(tag, r.id(), first, last, count, bestRssi));
    }

    /** Stops taking batches, matches what is queued, closes every open window into the writer. */
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
