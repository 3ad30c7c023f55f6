package io.tagwatch.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes closed sightings to PostgreSQL with binary {@code COPY ... FROM STDIN} ({@link SightingCopy}) on its
 * own thread, in transactions of up to {@code batchRows} rows or whatever arrived within {@code flushInterval},
 * adds their counts to the readers' traffic ({@link ReaderTraffic}, counted chunk by chunk as the copy goes:
 * {@link TrafficTally}) in the same transaction,
 * so the ingest pipeline never waits for the database. Each transaction carries whole
 * {@link SightingBatch}es and moves this node's journal checkpoint to the newest of their
 * positions, so the sightings and the checkpoint are committed together or not at all. A
 * failed transaction is retried with back-off (1 s doubling to 30 s) until the database takes
 * it; nothing is dropped.
 *
 * <p>{@link #offer} is thread-safe and lock-free; everything else runs on the writer thread.
 */
public final class SightingWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SightingWriter.class);

    private final DataSource db;
    private final SightingCopy copy = new SightingCopy();
    private final WritePacer pacer = new WritePacer();
    private final io.micrometer.core.instrument.Timer commitTimer;
    private final io.micrometer.core.instrument.DistributionSummary batchRowsSummary;
    private final String node;
    private final int batchRows;
    private final long flushNanos;
    private final ConcurrentLinkedQueue<SightingBatch> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedRows = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong committedPosition = new AtomicLong(-1);
    private volatile LongConsumer onCommitted = p -> { };
    private volatile boolean outage;
    private final Thread thread;
    private volatile boolean running = true;

    public SightingWriter(DataSource db, String node, int batchRows, Duration flushInterval,
                          io.micrometer.core.instrument.MeterRegistry meters) {
        this.commitTimer = io.micrometer.core.instrument.Timer.builder("tagwatch.writer.commit")
                .description("one COPY of sightings with its checkpoint, committed").register(meters);
        this.batchRowsSummary = io.micrometer.core.instrument.DistributionSummary.builder("tagwatch.writer.batch.rows")
                .description("sightings per committed transaction").register(meters);
        this.db = db;
        this.node = node;
        this.batchRows = batchRows;
        this.flushNanos = flushInterval.toNanos();
        this.thread = new Thread(this::run, "sighting-writer");
        this.thread.setDaemon(true);
    }

    /** The committed journal checkpoint of this node (0 when it has none yet). */
    public long loadCheckpoint() {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT position FROM journal_checkpoint WHERE node = ?")) {
            ps.setString(1, node);
            try (ResultSet rs = ps.executeQuery()) {
                long p = rs.next() ? rs.getLong(1) : 0L;
                committedPosition.set(p);
                return p;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the journal checkpoint node=" + node, e);
        }
    }

    /** The nodes other than this one with a journal checkpoint in the database (a cluster's; or this directory's before it lost its node id). */
    public java.util.List<String> otherNodes() {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT node FROM journal_checkpoint WHERE node <> ? ORDER BY node")) {
            ps.setString(1, node);
            java.util.List<String> nodes = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    nodes.add(rs.getString(1));
                }
            }
            return nodes;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the journal checkpoints", e);
        }
    }

    /** Starts writing; {@code onCommitted} gets each newly committed checkpoint position. */
    public void start(LongConsumer onCommitted) {
        this.onCommitted = onCommitted;
        thread.start();
    }

    /** Queues a checkpoint batch. */
    public void offer(SightingBatch batch) {
        queue.offer(batch);
        if (queuedRows.addAndGet(batch.sightings().size()) >= batchRows) {
            LockSupport.unpark(thread);
        }
    }

    /** Sightings committed to the database so far by this process. */
    public long written() {
        return written.get();
    }

    /** Sightings waiting for a transaction. */
    public long pending() {
        return queuedRows.get();
    }

    public long failures() {
        return failures.get();
    }

    /** True while the last transaction failed (the database is unreachable or refusing). */
    public boolean outage() {
        return outage;
    }

    private void run() {
        List<SightingBatch> txn = new ArrayList<>();
        long backoffMs = 1000;
        while (running || !queue.isEmpty() || !txn.isEmpty()) {
            if (txn.isEmpty() && queuedRows.get() < batchRows && running) {
                LockSupport.parkNanos(flushNanos);
            }
            int rows = txn.stream().mapToInt(b -> b.sightings().size()).sum();
            SightingBatch b;
            while (rows < batchRows && (b = queue.peek()) != null) {
                queue.poll();
                txn.add(b);
                rows += b.sightings().size();
            }
            if (txn.isEmpty()) {
                continue;
            }
            try {
                long started = System.nanoTime();
                long position = commit(txn, rows);
                commitTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                batchRowsSummary.record(rows);
                queuedRows.addAndGet(-rows);
                written.addAndGet(rows);
                for (SightingBatch done : txn) {
                    done.sightings().release(); // in the database: their blocks can take new rows
                }
                txn.clear();
                if (outage) {
                    outage = false;
                    log.info("database writes resumed; {} sightings waiting", queuedRows.get());
                }
                backoffMs = 1000;
                if (position > committedPosition.get()) {
                    committedPosition.set(position);
                    onCommitted.accept(position);
                }
            } catch (SQLException | RuntimeException e) {
                failures.incrementAndGet();
                pacer.reset(); // the retry comes after a back-off of seconds: not a pace to spread it over
                if (!outage) {
                    outage = true;
                }
                log.warn("{} sightings not written (kept, retrying in {} ms; the journal holds them): {}",
                        rows, backoffMs, e.toString());
                if (!running) {
                    log.error("writer stopping with {} sightings unwritten; the journal replays them at the next start",
                            queuedRows.get());
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMs));
                backoffMs = Math.min(backoffMs * 2, 30_000);
            }
        }
    }

    private long commit(List<SightingBatch> txn, int rows) throws SQLException {
        long position = -1;
        for (SightingBatch b : txn) {
            position = Math.max(position, b.journalPosition());
        }
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                // This commit moves the checkpoint, after which the journal deletes what it covers: it must be
                // on the database's disk when it returns, whatever the server's default (the embedded server is
                // started with it on, Database.durable; an operator's server may have it off).
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("SET LOCAL synchronous_commit = on");
                }
                if (rows > 0) {
                    List<SightingRows> lists = new ArrayList<>(txn.size());
                    for (SightingBatch b : txn) {
                        lists.add(b.sightings());
                    }
                    // The traffic counts are taken a chunk at a time as the copy goes, under its pace.
                    TrafficTally traffic = new TrafficTally(lists);
                    pacer.begin(System.nanoTime(), rows);
                    copy.copy(c, lists, sent -> {
                        traffic.countTo(sent);
                        pace(sent);
                    });
                    traffic.countAll();
                    ReaderTraffic.add(c, traffic);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO journal_checkpoint (node, position) VALUES (?, ?) ON CONFLICT (node) DO UPDATE "
                                + "SET position = GREATEST(journal_checkpoint.position, EXCLUDED.position), updated_at = now()")) {
                    ps.setString(1, node);
                    ps.setLong(2, position);
                    ps.executeUpdate();
                }
                c.commit();
                return position;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the transaction is void either way
                }
                throw e;
            }
        }
    }

    /** Between two chunks of a copy: back on the pacer's schedule, unless another batch waits or the writer stops. */
    private void pace(int rowsSent) {
        long pause = pacer.pauseNanos(System.nanoTime(), rowsSent);
        if (pause > 0 && running && queue.isEmpty()) {
            LockSupport.parkNanos(pause);
        }
    }

    /** Writes what is queued (while the database answers), then stops the thread. */
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
