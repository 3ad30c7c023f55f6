package io.tagwatch.registry;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether each reader is online, since when, when it was last heard from, and the last status
 * it reported. Online/offline follow the MQTT connection: a CONNECT makes a reader online; a
 * DISCONNECT, a keep-alive timeout or a dropped connection makes it offline, and on the last
 * two its will message (if it set one) becomes its last status. A newer connection of the
 * same reader wins over the closing of an older one.
 *
 * <p>Thread-safe. Held in memory by this node: after a restart every reader is offline until
 * it connects again.
 */
public final class ReaderLiveness {
    /** What is known of one reader now. Times are null when never seen. */
    public record State(boolean online, Instant since, Instant lastSeen, String lastStatus, Instant lastStatusAt) {
        static final State NEVER = new State(false, null, null, null, null);
    }

    private record Entry(long connection, State state) {
    }

    /**
     * A reader's traffic health: its clock drift (receive time minus the reader's time of the
     * newest read of a batch, smoothed) and its usual gap between batches (smoothed), from which
     * a silence is judged.
     */
    public record Traffic(long lastBatchAt, double driftMs, double usualGapMs, long batches) {
    }

    private final Map<String, Traffic> traffic = new ConcurrentHashMap<>();
    /** A reader clock further than this from the engine's is flagged. */
    public static final long DRIFT_LIMIT_MS = 30_000;
    /** Never call a reader silent before this long without a batch. */
    public static final long MIN_SILENCE_MS = 60_000;

    private final Map<String, Entry> readers = new ConcurrentHashMap<>();
    private final AtomicLong connections = new AtomicLong();

    /** A reader connected; returns the connection's token for {@link #disconnected}. */
    public long connected(String readerId, Instant at) {
        long token = connections.incrementAndGet();
        readers.compute(readerId, (id, e) -> {
            State s = e == null ? State.NEVER : e.state();
            return new Entry(token, new State(true, s.online() ? s.since() : at, at, s.lastStatus(), s.lastStatusAt()));
        });
        return token;
    }

    /**
     * The connection {@code token} of the reader closed; {@code will} is its will payload when
     * the close was not a clean DISCONNECT (else null). Ignored if a newer connection exists.
     */
    public void disconnected(String readerId, long token, Instant at, String will) {
        readers.computeIfPresent(readerId, (id, e) -> {
            if (e.connection() != token) {
                return e;
            }
            State s = e.state();
            return new Entry(token, new State(false, at, s.lastSeen(),
                    will != null ? will : s.lastStatus(), will != null ? at : s.lastStatusAt()));
        });
    }

    /** Any packet from the reader (reads, status, ping). */
    public void seen(String readerId, Instant at) {
        readers.computeIfPresent(readerId, (id, e) -> new Entry(e.connection(),
                new State(e.state().online(), e.state().since(), at, e.state().lastStatus(), e.state().lastStatusAt())));
    }

    /** The reader published to {@code tags/{id}/status}. */
    public void status(String readerId, String payload, Instant at) {
        readers.compute(readerId, (id, e) -> {
            State s = e == null ? State.NEVER : e.state();
            return new Entry(e == null ? 0 : e.connection(), new State(s.online(), s.since(), at, payload, at));
        });
    }

    /** A batch from the reader arrived at {@code receivedAt}; its newest read is stamped {@code newestReadTs}. */
    public void batch(String readerId, long receivedAt, long newestReadTs) {
        traffic.compute(readerId, (id, t) -> {
            double drift = receivedAt - newestReadTs;
            if (t == null) {
                return new Traffic(receivedAt, drift, 0, 1);
            }
            double gap = Math.max(0, receivedAt - t.lastBatchAt());
            double usual = t.batches() == 1 ? gap : 0.9 * t.usualGapMs() + 0.1 * gap;
            return new Traffic(receivedAt, 0.9 * t.driftMs() + 0.1 * drift, usual, t.batches() + 1);
        });
    }

    /** The reader's traffic health, or null before its first batch. */
    public Traffic traffic(String readerId) {
        return traffic.get(readerId);
    }

    /**
     * Whether the reader is silent beyond its habit: online or not, no batch for five times its
     * usual gap (and at least {@link #MIN_SILENCE_MS}). Needs a few batches to know the habit.
     */
    public boolean silent(String readerId, long now) {
        Traffic t = traffic.get(readerId);
        return t != null && t.batches() >= 5 && now - t.lastBatchAt() > Math.max(MIN_SILENCE_MS, 5 * t.usualGapMs());
    }

    /** Whether the reader's clock is off by more than {@link #DRIFT_LIMIT_MS}. */
    public boolean driftFlagged(String readerId) {
        Traffic t = traffic.get(readerId);
        return t != null && Math.abs(t.driftMs()) > DRIFT_LIMIT_MS;
    }

    public State state(String readerId) {
        Entry e = readers.get(readerId);
        return e == null ? State.NEVER : e.state();
    }
}
