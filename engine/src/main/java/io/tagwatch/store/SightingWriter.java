package io.tagwatch.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes closed sightings to PostgreSQL with {@code COPY ... FROM STDIN}, batched by size
 * and time, on its own thread so the ingest pipeline never waits for the database. A failed
 * batch is kept and retried with back-off (1 s doubling to 30 s) until the database takes it.
 *
 * <p>{@link #offer} is thread-safe and lock-free; everything else runs on the writer thread.
 */
public final class SightingWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SightingWriter.class);
    static final String COPY_SQL =
            "COPY sightings (tag, reader_id, first_seen, last_seen, read_count, best_rssi) FROM STDIN";

    private final DataSource db;
    private final int batchRows;
    private final long flushNanos;
    private final ConcurrentLinkedQueue<Sighting> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    public SightingWriter(DataSource db, int batchRows, Duration flushInterval) {
        this.db = db;
        this.batchRows = batchRows;
        this.flushNanos = flushInterval.toNanos();
        this.thread = new Thread(this::run, "sighting-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues one sighting for the next batch. */
    public void offer(Sighting s) {
        queue.offer(s);
        if (queued.incrementAndGet() >= batchRows) {
            LockSupport.unpark(thread);
        }
    }

    /** Sightings committed to the database so far. */
    public long written() {
        return written.get();
    }

    /** Sightings waiting for a batch. */
    public long pending() {
        return queued.get();
    }

    public long failures() {
        return failures.get();
    }

    private void run() {
        List<Sighting> batch = new ArrayList<>(batchRows);
        long backoffMs = 1000;
        while (running || !queue.isEmpty() || !batch.isEmpty()) {
            if (batch.isEmpty() && queued.get() < batchRows && running) {
                LockSupport.parkNanos(flushNanos);
            }
            Sighting s;
            while (batch.size() < batchRows && (s = queue.poll()) != null) {
                batch.add(s);
            }
            if (batch.isEmpty()) {
                continue;
            }
            try {
                copy(batch);
                queued.addAndGet(-batch.size());
                written.addAndGet(batch.size());
                batch.clear();
                backoffMs = 1000;
            } catch (SQLException | IOException | RuntimeException e) {
                failures.incrementAndGet();
                log.warn("sighting batch of {} rows not written, retrying in {} ms: {}", batch.size(), backoffMs, e.toString());
                if (!running) {
                    log.error("writer stopping with {} sightings unwritten", queued.get());
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMs));
                backoffMs = Math.min(backoffMs * 2, 30_000);
            }
        }
    }

    private void copy(List<Sighting> batch) throws SQLException, IOException {
        try (Connection c = db.getConnection()) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder sb = new StringBuilder(batch.size() * 80);
            for (Sighting s : batch) {
                sb.append(s.tag()).append('\t')
                        .append(s.readerId()).append('\t')
                        .append(Instant.ofEpochMilli(s.firstSeen())).append('\t')
                        .append(Instant.ofEpochMilli(s.lastSeen())).append('\t')
                        .append(s.readCount()).append('\t');
                if (s.bestRssi() == Integer.MIN_VALUE) {
                    sb.append("\\N");
                } else {
                    sb.append(s.bestRssi());
                }
                sb.append('\n');
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            CopyIn in = copy.copyIn(COPY_SQL);
            try {
                in.writeToCopy(bytes, 0, bytes.length);
                in.endCopy();
            } finally {
                if (in.isActive()) {
                    in.cancelCopy();
                }
            }
        }
    }

    /** Writes what is queued, then stops the thread (waits up to 30 s). */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
