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

    public State state(String readerId) {
        Entry e = readers.get(readerId);
        return e == null ? State.NEVER : e.state();
    }
}
