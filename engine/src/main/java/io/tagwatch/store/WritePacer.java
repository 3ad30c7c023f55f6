package io.tagwatch.store;

/**
 * Spreads one transaction's {@code COPY} over most of the time until the next transaction is
 * due, as PostgreSQL spreads a checkpoint's writes over {@code checkpoint_completion_target} of
 * the interval. Closed sightings reach the writer a checkpoint at a time (every one to two
 * seconds under load, half a million rows each when every read opens a window); copied at full
 * speed, each batch kept a database backend on one CPU for half a second and then left it idle,
 * and on a node whose database shares the engine's cores the match thread, event loops and
 * readers' clients had one CPU instead of two for those half seconds (perf sched, 2 vCPUs at
 * 2.7 M reads/s: the database took 48 % of both CPUs while the slowest alerts waited, 25 % on
 * average). Paced, the same rows take the same CPU at an even rate.
 *
 * <p>The expected interval is the time since the previous transaction began. The writer pauses
 * only while it is ahead of the schedule and no other batch waits (then it copies at full speed,
 * so pacing never builds a backlog); a first transaction, a retry after a failed one and one
 * copied in a single chunk are never paced. Not thread-safe: the writer thread's own.
 */
final class WritePacer {
    /** Fraction of the interval a transaction's copy may take. */
    static final double SPREAD = 0.75;

    private boolean started;
    /** When the current transaction began (and, at the next {@link #begin}, the previous one). */
    private long start;
    private long budget;
    private int rows;

    /** A transaction of {@code rows} rows begins at {@code now} (System.nanoTime()). */
    void begin(long now, int rows) {
        budget = started ? (long) (SPREAD * (now - start)) : 0L;
        started = true;
        start = now;
        this.rows = rows;
    }

    /** After a failed transaction: the next (its retry) is not paced, as a first one is not. */
    void reset() {
        started = false;
        budget = 0L;
    }

    /**
     * How long to pause at {@code now}, with {@code done} of the transaction's rows sent, to be
     * back on its schedule; 0 when on it or behind.
     */
    long pauseNanos(long now, int done) {
        if (budget <= 0 || rows <= 0) {
            return 0L;
        }
        long due = start + (long) ((double) budget * Math.min(done, rows) / rows);
        return Math.max(0L, due - now);
    }
}
