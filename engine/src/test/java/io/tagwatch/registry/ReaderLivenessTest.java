package io.tagwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReaderLivenessTest {
    @Test
    void silent_whenQuietForFiveTimesItsUsualGap_andAtLeastAMinute() {
        ReaderLiveness l = new ReaderLiveness();
        for (int i = 0; i <= 5; i++) {
            l.batch("R", i * 20_000L, i * 20_000L); // a batch every 20 s
        }
        long last = 5 * 20_000L;
        assertThat(l.traffic("R").usualGapMs()).isEqualTo(20_000.0);
        assertThat(l.silent("R", last + 90_000)).as("90 s: less than five gaps").isFalse();
        assertThat(l.silent("R", last + 101_000)).as("more than five gaps").isTrue();
        assertThat(l.silent("nobody", last)).isFalse();
    }

    @Test
    void silent_neverBeforeAMinute_evenForABusyReader() {
        ReaderLiveness l = new ReaderLiveness();
        for (int i = 0; i <= 10; i++) {
            l.batch("R", i * 1_000L, i * 1_000L);
        }
        assertThat(l.silent("R", 10_000 + 30_000)).isFalse();
        assertThat(l.silent("R", 10_000 + 61_000)).isTrue();
    }

    @Test
    void clockDrift_isTheSmoothedGapBetweenReceiveTimeAndTheReadersClock() {
        ReaderLiveness l = new ReaderLiveness();
        l.batch("R", 1_000_000, 1_000_000 - 45_000); // the reader's clock is 45 s behind
        assertThat(l.traffic("R").driftMs()).isEqualTo(45_000.0);
        assertThat(l.driftFlagged("R")).isTrue();
        for (int i = 1; i <= 60; i++) {
            l.batch("R", 1_000_000 + i * 1_000L, 1_000_000 + i * 1_000L); // then corrected
        }
        assertThat(l.driftFlagged("R")).isFalse();
    }
}
