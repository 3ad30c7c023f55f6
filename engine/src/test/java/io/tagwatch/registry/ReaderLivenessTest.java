package io.tagwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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

    /**
     * A reader quiet at night (a batch every 30 min from 01:00 to 04:00) and busy by day (every
     * 10 s from 10:00 to 11:00), two days running: the same silence is normal at night and a
     * fault by day.
     */
    @Test
    void silence_isJudgedAgainstTheReadersOwnGapAtThatHourOfTheDay() {
        ReaderLiveness l = new ReaderLiveness(java.time.ZoneOffset.UTC);
        long hour = 3_600_000L;
        long day = 24 * hour;
        for (int d = 0; d < 2; d++) {
            for (long at = d * day + hour; at <= d * day + 4 * hour; at += 30 * 60_000L) {
                l.batch("R", at, at);
            }
            for (long at = d * day + 10 * hour; at <= d * day + 11 * hour; at += 10_000L) {
                l.batch("R", at, at);
            }
        }
        assertThat(l.traffic("R").usualGapByHourMs()[2]).isCloseTo(30 * 60_000.0, within(1.0));
        assertThat(l.traffic("R").usualGapByHourMs()[10]).isCloseTo(10_000.0, within(1.0));
        assertThat(l.usualGapAt("R", 2 * day + 2 * hour)).as("usual gap at 02:00").isCloseTo(30 * 60_000.0, within(1.0));
        assertThat(l.usualGapAt("R", 2 * day + 10 * hour)).as("usual gap at 10:00").isCloseTo(10_000.0, within(1.0));

        long night = 2 * day + hour; // the third night: a batch at 01:00
        l.batch("R", night, night);
        assertThat(l.silent("R", night + 40 * 60_000L)).as("quiet since 01:00, at 01:40").isFalse();
        assertThat(l.silent("R", night + 170 * 60_000L)).as("quiet since 01:00, at 03:50: over five night gaps").isTrue();

        long morning = 2 * day + 10 * hour; // the third morning: a batch at 10:00
        l.batch("R", morning, morning);
        assertThat(l.silent("R", morning + 30_000)).as("30 s: under the one-minute floor").isFalse();
        assertThat(l.silent("R", morning + 2 * 60_000L)).as("quiet since 10:00, at 10:02").isTrue();
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

    @Test
    void usualGapByHour_learnsEveryHourAGapSpanned_acrossHourBoundariesAndADaylightSavingChange() {
        java.time.ZoneId zone = java.time.ZoneId.of("Europe/Amsterdam");
        ReaderLiveness l = new ReaderLiveness(zone);
        double[] gap = new double[24];
        int[] samples = new int[24];
        java.util.Random r = new java.util.Random(3);
        long t = java.time.ZonedDateTime.of(2026, 3, 28, 22, 0, 0, 0, zone).toInstant().toEpochMilli(); // DST on the 29th
        long last = -1;
        for (int i = 0; i < 5_000; i++) {
            t += r.nextInt(10) == 0 ? r.nextInt(3 * 3_600_000) : r.nextInt(120_000); // mostly seconds, now and then hours
            l.batch("R", t, t);
            if (last >= 0) { // the reference: every hour the gap spanned, by date arithmetic
                double g = t - last;
                java.time.ZonedDateTime h = java.time.Instant.ofEpochMilli(last).atZone(zone)
                        .truncatedTo(java.time.temporal.ChronoUnit.HOURS);
                for (int k = 0; k < 24 && h.toInstant().toEpochMilli() < t; k++) {
                    int hr = h.getHour();
                    gap[hr] = samples[hr] == 0 ? g : 0.9 * gap[hr] + 0.1 * g;
                    samples[hr]++;
                    h = h.plusHours(1);
                }
            }
            last = t;
        }
        assertThat(l.traffic("R").usualGapByHourMs()).containsExactly(gap);
    }

    @Test
    void lastSeen_followsEveryPacket_throughStatusAndDisconnect_andNeverGoesBack() {
        ReaderLiveness l = new ReaderLiveness();
        java.time.Instant t0 = java.time.Instant.parse("2026-11-29T10:00:00Z");
        long token = l.connected("R", t0);
        assertThat(l.state("R").lastSeen()).isEqualTo(t0);
        l.seen("R", t0.plusSeconds(5).toEpochMilli());
        l.seen("R", t0.plusSeconds(3).toEpochMilli()); // a late stamp from another event loop
        assertThat(l.state("R").lastSeen()).isEqualTo(t0.plusSeconds(5));
        assertThat(l.state("R").online()).isTrue();
        l.status("R", "ok", t0.plusSeconds(7));
        assertThat(l.state("R").lastSeen()).isEqualTo(t0.plusSeconds(7));
        assertThat(l.state("R").lastStatus()).isEqualTo("ok");
        l.seen("R", t0.plusSeconds(9).toEpochMilli());
        l.disconnected("R", token, t0.plusSeconds(20), null);
        ReaderLiveness.State gone = l.state("R");
        assertThat(gone.online()).isFalse();
        assertThat(gone.since()).isEqualTo(t0.plusSeconds(20));
        assertThat(gone.lastSeen()).as("the last packet, not the disconnect").isEqualTo(t0.plusSeconds(9));
        l.seen("nobody", t0.toEpochMilli());
        assertThat(l.state("nobody")).isEqualTo(ReaderLiveness.State.NEVER);
    }
}
