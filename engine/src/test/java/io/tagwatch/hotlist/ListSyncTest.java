package io.tagwatch.hotlist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.TestDatabase;
import io.tagwatch.TestEngine;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Two nodes on one database: a theft reported through one is on the other's stolen list within a second. */
class ListSyncTest {
    private static long within(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > limit.toNanos()) {
                return -1;
            }
            Thread.sleep(10);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void theftThroughOneNode_reachesTheOtherWithinASecond_andALostListenerReloadsInFull() throws Exception {
        TestDatabase.Db db = TestDatabase.fresh();
        try (TestEngine a = TestEngine.start(db, b -> b); TestEngine b = TestEngine.start(db, x -> x)) {
            String admin = a.login("admin", TestEngine.ADMIN_PASSWORD);
            long v = a.call("POST", "/api/vehicles", admin, Map.of("plate", "E-55", "tag", "55AA55", "kind", "ebike",
                    "owner", Map.of("name", "Q", "phone", "55"))).body().get("id").asLong();
            assertThat(b.engine.hotLists().stolen(0x55AA55L)).isNull();

            assertThat(a.call("POST", "/api/vehicles/" + v + "/theft", admin, null).status()).isEqualTo(201);
            long ms = within(Duration.ofSeconds(1), () -> b.engine.hotLists().stolen(0x55AA55L) != null);
            assertThat(ms).as("ms until the other node's list had the theft").isBetween(0L, 1000L);

            // The other node loses its listening connection; a change made meanwhile is not notified
            // to it, so it must reload in full once it is back.
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                        + "'tagwatch-listener-" + b.engine.node() + "'");
            }
            assertThat(a.call("POST", "/api/vehicles/" + v + "/recovered", admin, null).status()).isEqualTo(200);
            assertThat(within(Duration.ofSeconds(15), () -> b.engine.hotLists().stolen(0x55AA55L) == null))
                    .as("recovery reached the node after its listener came back").isNotNegative();
        }
    }
}
