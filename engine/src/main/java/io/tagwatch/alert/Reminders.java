package io.tagwatch.alert;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nobody may miss a stolen vehicle: a stolen-list or watchlist hit still new (unacknowledged)
 * after the reminder interval is published again on its district's topic with {@code reminder: n};
 * after the last reminder it escalates to the escalation topic with {@code escalated: true}.
 * Each due hit is claimed by one UPDATE, so nodes sharing a database never both remind.
 *
 * <p>One scheduler thread; blocks on the database.
 */
public final class Reminders implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reminders.class);

    private final DataSource db;
    private final Alerts alerts;
    private final HitStore hits;
    private final Duration interval;
    private final int max;
    private final String escalationTopic;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hit-reminders");
        t.setDaemon(true);
        return t;
    });

    public Reminders(DataSource db, Alerts alerts, Duration interval, int max, String escalationTopic) {
        this.db = db;
        this.alerts = alerts;
        this.hits = new HitStore(db);
        this.interval = interval;
        this.max = max;
        this.escalationTopic = escalationTopic;
        long every = Math.max(200, Math.min(interval.toMillis() / 2, 30_000));
        scheduler.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        try {
            for (Object[] due : claimDue()) {
                UUID id = (UUID) due[0];
                int n = (Integer) due[1];
                Hit hit = hits.hit(id).orElse(null);
                if (hit == null) {
                    continue;
                }
                boolean escalate = n > max;
                String topic = escalate ? escalationTopic : Alerts.topic(hit.district());
                alerts.republish(topic, hit, Map.of(escalate ? "escalated" : "reminder", escalate ? Boolean.TRUE : n));
                if (escalate) {
                    log.warn("hit id={} unacknowledged after {} reminders: escalated to {}", id, max, escalationTopic);
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("reminder sweep failed (next one retries): {}", e.toString());
        }
    }

    /** Marks due hits reminded once more and returns {id, reminder number}. */
    private List<Object[]> claimDue() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE hits SET reminders = reminders + 1, last_reminded_at = now() "
                        + "WHERE status = 'new' AND list_kind IN ('stolen', 'watchlist') AND reminders <= ? "
                        // not once the vehicle is recovered (its report closed) or the watchlist entry is gone
                        + "AND (list_kind <> 'stolen' OR theft_report_id IS NULL OR EXISTS (SELECT 1 FROM theft_reports t "
                        + "WHERE t.id = hits.theft_report_id AND t.status = 'open')) "
                        + "AND (list_kind <> 'watchlist' OR watchlist_id IS NULL OR EXISTS (SELECT 1 FROM watchlist w "
                        + "WHERE w.id = hits.watchlist_id AND w.removed_at IS NULL AND w.expires_at > now())) "
                        + "AND COALESCE(last_reminded_at, received_at) < now() - make_interval(secs => ?) "
                        + "RETURNING id, reminders")) {
            ps.setInt(1, max);
            ps.setDouble(2, interval.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                List<Object[]> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Object[] {rs.getObject(1, UUID.class), rs.getInt(2)});
                }
                return out;
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
