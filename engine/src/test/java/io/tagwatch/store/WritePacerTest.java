package io.tagwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WritePacerTest {
    private static final long MS = 1_000_000L;

    @Test
    void firstTransactionIsNeverPaced() {
        WritePacer p = new WritePacer();
        p.begin(1_000 * MS, 500_000);
        assertThat(p.pauseNanos(1_000 * MS, 250_000)).isZero();
    }

    /** A transaction of 500,000 rows begun at 1 s, 1 s after the previous one: its copy may take 750 ms. */
    private static WritePacer secondOfTwo() {
        WritePacer p = new WritePacer();
        p.begin(0, 1_000);
        p.begin(1_000 * MS, 500_000);
        return p;
    }

    @Test
    void copySpreadsOverThreeQuartersOfTheTimeSinceThePreviousTransactionBegan() {
        WritePacer p = secondOfTwo();
        // half the rows sent after 100 ms: due at 375 ms, so 275 ms to wait
        assertThat(p.pauseNanos(1_100 * MS, 250_000)).isEqualTo(275 * MS);
        // all sent at 700 ms: due at 750 ms
        assertThat(p.pauseNanos(1_700 * MS, 500_000)).isEqualTo(50 * MS);
    }

    @Test
    void behindScheduleItDoesNotPause() {
        WritePacer p = secondOfTwo();
        assertThat(p.pauseNanos(1_500 * MS, 100_000)).isZero(); // 20 % sent at two thirds of the budget
        assertThat(p.pauseNanos(1_800 * MS, 500_000)).isZero(); // done after the budget
    }

    @Test
    void theIntervalIsTheLastOneNotTheFirst() {
        WritePacer p = new WritePacer();
        p.begin(0, 10);
        p.begin(10_000 * MS, 10); // after a quiet spell
        p.begin(10_200 * MS, 1_000); // checkpoints now come every 200 ms: the copy may take 150 ms
        assertThat(p.pauseNanos(10_200 * MS, 1_000)).isEqualTo(150 * MS);
    }

    @Test
    void aRetryAfterAFailedTransactionIsNotPaced() {
        WritePacer p = secondOfTwo();
        p.reset(); // that transaction failed
        p.begin(31_000 * MS, 500_000); // retried after a 30 s back-off
        assertThat(p.pauseNanos(31_000 * MS, 1_000)).isZero();
        p.begin(32_000 * MS, 500_000); // and the next, 1 s later, paced again
        assertThat(p.pauseNanos(32_000 * MS, 250_000)).isEqualTo(375 * MS);
    }

    @Test
    void anEmptyTransactionIsNotPaced() {
        WritePacer p = new WritePacer();
        p.begin(0, 10);
        p.begin(1_000 * MS, 0);
        assertThat(p.pauseNanos(1_000 * MS, 0)).isZero();
    }
}
