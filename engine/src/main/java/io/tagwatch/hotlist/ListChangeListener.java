package io.tagwatch.hotlist;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's hot lists in step with every other node sharing the database: it holds a
 * connection that LISTENs on {@value #CHANNEL} (the registry NOTIFYs it as soon as each change is
 * committed) and schedules a rebuild on each notification. A lost connection is reopened
 * with back-off, and the lists are then reloaded in full, since notifications sent meanwhile
 * are gone.
 *
 * <p>One thread of its own; {@link #close} stops it.
 */
public final class ListChangeListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ListChangeListener.class);
    /** The PostgreSQL notification channel of list changes. */
    public static final String CHANNEL = "tagwatch_lists";

    private final DataSource db;
    private final HotLists lists;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long reconnects;

    private final String applicationName;

    /** @param node this node's id: the listening session is named {@code tagwatch-listener-<node>} in pg_stat_activity */
    public ListChangeListener(DataSource db, HotLists lists, String node) {
        this.db = db;
        this.lists = lists;
        this.applicationName = "tagwatch-listener-" + node;
        this.thread = new Thread(this::run, "list-listener");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Times the listening connection was lost and reopened (each followed by a full reload). */
    public long reconnects() {
        return reconnects;
    }

    private void run() {
        long backoffMs = 500;
        boolean first = true;
        while (running) {
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                st.execute("SET application_name = '" + applicationName.replace("'", "") + "'");
                st.execute("LISTEN " + CHANNEL);
                if (!first) {
                    reconnects++;
                    log.info("list change listener reconnected: reloading the lists in full");
                    lists.requestRebuild();
                    lists.requestRegistryRebuild();
                }
                first = false;
                backoffMs = 500;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] n = pg.getNotifications(500);
                    if (n != null) {
                        // a burst of notifications shares one rebuild per list
                        for (PGNotification one : n) {
                            if ("registry".equals(one.getParameter())) {
                                lists.requestRegistryRebuild();
                            } else {
                                lists.requestRebuild();
                            }
                        }
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                log.warn("list change listener lost its connection, retrying in {} ms: {}", backoffMs, e.toString());
                try {
                    TimeUnit.MILLISECONDS.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
