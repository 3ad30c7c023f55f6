package io.tagwatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tagwatch.registry.Registry;
import io.tagwatch.store.Database;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A reader whose network blinked reconnects while the database is down: reads are journaled and
 * acknowledged through an outage, so it is let in on the secret this node last verified for it —
 * and on nothing else.
 */
class ReaderLoginOutageTest {
    @Test
    void duringAnOutage_aReaderLogsInOnItsLastVerifiedSecret_notOnAnotherOne_andAnUnseenReaderIsRefused() throws Exception {
        try (StoppablePostgres pg = new StoppablePostgres()) {
            TestDatabase.Db db = pg.createDatabase("logins");
            HikariConfig hc = new HikariConfig();
            hc.setJdbcUrl(db.url());
            hc.setUsername(db.user());
            hc.setConnectionTimeout(2_000);
            hc.setInitializationFailTimeout(-1);
            try (HikariDataSource ds = new HikariDataSource(hc)) {
                Database.migrate(ds);
                // A verified secret is taken from memory for a millisecond only: every login asks the database.
                Registry registry = new Registry(ds, Duration.ofHours(1), Duration.ofMillis(1), () -> { }, () -> { });
                String seen = registry.createReader("R-SEEN", "Seen", 52.37, 4.89, "centre");
                String rotated = registry.createReader("R-ROT", "Rotated", 52.37, 4.89, "centre");
                String unseen = registry.createReader("R-UNSEEN", "Unseen", 52.37, 4.89, "centre");
                assertThat(registry.authenticateReader("R-SEEN", seen)).isTrue();
                assertThat(registry.authenticateReader("R-ROT", rotated)).isTrue();
                String newSecret = registry.rotateReaderSecret("R-ROT");
                Thread.sleep(5);

                pg.stop();
                assertThat(registry.authenticateReader("R-SEEN", seen)).as("the secret verified before the outage").isTrue();
                assertThat(registry.authenticateReader("R-SEEN", seen + "x")).as("any other secret").isFalse();
                // Rotated here: its verified secret is forgotten, so only the database can say, old or new.
                assertThatThrownBy(() -> registry.authenticateReader("R-ROT", rotated)).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> registry.authenticateReader("R-ROT", newSecret)).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> registry.authenticateReader("R-UNSEEN", unseen))
                        .as("a reader this node never verified: the database must say").isInstanceOf(IllegalStateException.class);

                pg.start();
                Thread.sleep(Registry.DATABASE_RETRY_MILLIS + 100); // past the pause after a failed query
                assertThat(registry.authenticateReader("R-UNSEEN", unseen)).as("once the database answers").isTrue();
                assertThat(registry.authenticateReader("R-ROT", newSecret)).isTrue();
            }
        }
    }
}
