package io.tagwatch.registry;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
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

    /**
     * {@code seenMs}: when any packet last came (epoch ms), kept apart from {@code state} so the
     * packet path sets one number instead of building a new entry per packet (it was 15 % of the
     * engine's allocation under load, JFR); carried over when the entry is replaced.
     */
    private record Entry(long connection, State state, AtomicLong seenMs) {
        Entry(long connection, State state, Entry before) {
            this(connection, state, before == null ? new AtomicLong() : before.seenMs());
        }
    }

    /**
     * A reader's traffic health: its clock drift (receive time minus the reader's time of the
     * newest read of a batch, smoothed), its usual gap between batches (smoothed, over all
     * hours) and its usual gap in each hour of the day (index 0-23, engine's time zone; 0 where
     * not yet learned), from which a silence is judged.
     */
    public record Traffic(long lastBatchAt, double driftMs, double usualGapMs, long batches, double[] usualGapByHourMs) {
    }

    /** One reader's learned traffic; guarded by its own monitor. */
    private static final class Learned {
        long lastBatchAt;
        double driftMs;
        double usualGapMs;
        long batches;
        final double[] hourGap = new double[24];
        final int[] hourSamples = new int[24];

        /**
         * The hour of the day (engine's zone) that held the last batch, as [hourFrom, hourTo):
         * batches after it in the same hour (nearly all of them) need no date arithmetic.
         */
        long hourFrom = Long.MAX_VALUE;
        long hourTo = Long.MIN_VALUE;
        int hourOfDay;

        private void learn(int h, double gap) {
            hourGap[h] = hourSamples[h] == 0 ? gap : 0.9 * hourGap[h] + 0.1 * gap;
            hourSamples[h]++;
        }

        synchronized void batch(long receivedAt, long newestReadTs, ZoneId zone) {
            double drift = receivedAt - newestReadTs;
            if (batches == 0) {
                driftMs = drift;
            } else {
                double gap = Math.max(0, receivedAt - lastBatchAt);
                usualGapMs = batches == 1 ? gap : 0.9 * usualGapMs + 0.1 * gap;
                driftMs = 0.9 * driftMs + 0.1 * drift;
                // The gap counts for every hour of the day it spanned (a quiet night teaches
                // each night hour that long gaps are usual there).
                if (lastBatchAt >= hourFrom && receivedAt > hourFrom && receivedAt <= hourTo) {
                    learn(hourOfDay, gap); // both in the hour known: what the loop below does, without dates
                } else {
                    ZonedDateTime hourStart = Instant.ofEpochMilli(lastBatchAt).atZone(zone).truncatedTo(ChronoUnit.HOURS);
                    for (int i = 0; i < 24 && hourStart.toInstant().toEpochMilli() < receivedAt; i++) {
                        learn(hourStart.getHour(), gap);
                        hourStart = hourStart.plusHours(1);
                    }
                }
            }
            if (receivedAt < hourFrom || receivedAt >= hourTo) {
                ZonedDateTime h = Instant.ofEpochMilli(receivedAt).atZone(zone).truncatedTo(ChronoUnit.HOURS);
                hourFrom = h.toInstant().toEpochMilli();
                hourTo = h.plusHours(1).toInstant().toEpochMilli();
                hourOfDay = h.getHour();
            }
            lastBatchAt = receivedAt;
            batches++;
        }

        /** The usual gap at this hour once learned (three gaps seen there), else over all hours. */
        synchronized double usualGapAt(int hour) {
            return hourSamples[hour] >= 3 ? hourGap[hour] : usualGapMs;
        }

        synchronized long batchCount() {
            return batches;
        }

        synchronized Traffic snapshot() {
            double[] byHour = new double[24];
            for (int h = 0; h < 24; h++) {
                byHour[h] = hourSamples[h] > 0 ? hourGap[h] : 0;
            }
            return new Traffic(lastBatchAt, driftMs, usualGapMs, batches, byHour);
        }
    }

    private static int hourOf(long epochMs, ZoneId zone) {
        return Instant.ofEpochMilli(epochMs).atZone(zone).getHour();
    }

    private final Map<String, Learned> traffic = new ConcurrentHashMap<>();
    private final ZoneId zone;
    /** A reader clock further than this from the engine's is flagged. */
    public static final long DRIFT_LIMIT_MS = 30_000;
    /** Never call a reader silent before this long without a batch. */
    public static final long MIN_SILENCE_MS = 60_000;
    /** Silent: no batch for this many of the reader's usual gaps at the hour. */
    public static final int SILENT_GAPS = 5;

    /** Hours of the day in the JVM's time zone (set TZ to the city's). */
    public ReaderLiveness() {
        this(ZoneId.systemDefault());
    }

    public ReaderLiveness(ZoneId zone) {
        this.zone = zone;
    }

    private final Map<String, Entry> readers = new ConcurrentHashMap<>();
    private final AtomicLong connections = new AtomicLong();

    /** A reader connected; returns the connection's token for {@link #disconnected}. */
    public long connected(String readerId, Instant at) {
        long token = connections.incrementAndGet();
        readers.compute(readerId, (id, e) -> {
            State s = e == null ? State.NEVER : e.state();
            return new Entry(token, new State(true, s.online() ? s.since() : at, at, s.lastStatus(), s.lastStatusAt()), e);
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
            return new Entry(token, new State(false, at, lastSeen(e),
                    will != null ? will : s.lastStatus(), will != null ? at : s.lastStatusAt()), e);
        });
    }

    /** Any packet from the reader (reads, status, ping) at {@code atMillis} (epoch ms). Allocates nothing. */
    public void seen(String readerId, long atMillis) {
        Entry e = readers.get(readerId);
        if (e != null) {
            e.seenMs().accumulateAndGet(atMillis, Math::max);
        }
    }

    /** The reader published to {@code tags/{id}/status}. */
    public void status(String readerId, String payload, Instant at) {
        readers.compute(readerId, (id, e) -> {
            State s = e == null ? State.NEVER : e.state();
            return new Entry(e == null ? 0 : e.connection(), new State(s.online(), s.since(), at, payload, at), e);
        });
    }

    /** A batch from the reader arrived at {@code receivedAt}; its newest read is stamped {@code newestReadTs}. */
    public void batch(String readerId, long receivedAt, long newestReadTs) {
        traffic.computeIfAbsent(readerId, id -> new Learned()).batch(receivedAt, newestReadTs, zone);
    }

    /** The reader's traffic health, or null before its first batch. */
    public Traffic traffic(String readerId) {
        Learned t = traffic.get(readerId);
        return t == null ? null : t.snapshot();
    }

    /**
     * The reader's usual gap between batches at the hour of {@code now}: learned per hour of the
     * day once three gaps were seen in that hour, until then over all hours; null before the
     * reader's second batch.
     */
    public Double usualGapAt(String readerId, long now) {
        Learned t = traffic.get(readerId);
        return t == null || t.batchCount() < 2 ? null : t.usualGapAt(hourOf(now, zone));
    }

    /**
     * Whether the reader is silent beyond its habit at this hour of the day: online or not, no
     * batch for {@link #SILENT_GAPS} times its usual gap at the hour of {@code now} (and at least
     * {@link #MIN_SILENCE_MS}). Needs a few batches to know the habit.
     */
    public boolean silent(String readerId, long now) {
        Learned t = traffic.get(readerId);
        if (t == null) {
            return false;
        }
        synchronized (t) {
            return t.batches >= 5
                    && now - t.lastBatchAt > Math.max(MIN_SILENCE_MS, SILENT_GAPS * t.usualGapAt(hourOf(now, zone)));
        }
    }

    /** Whether the reader's clock is off by more than {@link #DRIFT_LIMIT_MS}. */
    public boolean driftFlagged(String readerId) {
        Learned t = traffic.get(readerId);
        if (t == null) {
            return false;
        }
        synchronized (t) {
            return Math.abs(t.driftMs) > DRIFT_LIMIT_MS;
        }
    }

    public State state(String readerId) {
        Entry e = readers.get(readerId);
        if (e == null) {
            return State.NEVER;
        }
        State s = e.state();
        Instant seen = lastSeen(e);
        return seen == s.lastSeen() ? s : new State(s.online(), s.since(), seen, s.lastStatus(), s.lastStatusAt());
    }

    /** The later of the entry's own last-seen time and the last packet's. */
    private static Instant lastSeen(Entry e) {
        Instant own = e.state().lastSeen();
        long packet = e.seenMs().get();
        return packet == 0 || (own != null && own.toEpochMilli() >= packet) ? own : Instant.ofEpochMilli(packet);
    }
}
