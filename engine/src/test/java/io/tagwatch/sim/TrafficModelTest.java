package io.tagwatch.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The simulated city: the same seed gives the same traffic, and the traffic is physically possible. */
class TrafficModelTest {
    private static final long H = 3_600_000;
    private final CityGrid grid = new CityGrid(400);
    private final Fleet fleet = new Fleet(20_000, 7);

    /** Every pass and theft report of a run, in order. */
    private static final class Recorder implements TrafficListener {
        final List<Pass> passes = new ArrayList<>();
        final List<Theft> reports = new ArrayList<>();

        @Override
        public void pass(Pass pass) {
            passes.add(pass);
        }

        @Override
        public void theftReported(Theft theft) {
            reports.add(theft);
        }
    }

    private Recorder run(long seed, long startMs, long lengthMs, int thefts) {
        TrafficModel m = new TrafficModel(grid, fleet, seed, startMs, thefts, lengthMs / 2);
        Recorder r = new Recorder();
        for (long t = startMs; t <= startMs + lengthMs; t += 7_000) { // uneven steps, as ticks are
            m.advance(t, r);
        }
        return r;
    }

    @Test
    void advance_sameSeed_sameTraffic_otherSeed_otherTraffic() {
        Recorder a = run(11, 8 * H, H, 10);
        Recorder b = run(11, 8 * H, H, 10);
        Recorder c = run(12, 8 * H, H, 10);
        assertThat(a.passes).hasSizeGreaterThan(1_000).isEqualTo(b.passes);
        assertThat(a.reports).isEqualTo(b.reports);
        assertThat(c.passes).isNotEqualTo(a.passes);
    }

    @Test
    void advance_passesInTimeOrder_andEachVehicleMovesAtARideableSpeedBetweenNeighbouringJunctions() {
        Recorder r = run(3, 7 * H, 2 * H, 20);
        Map<Integer, Pass> last = new HashMap<>();
        long previousTime = Long.MIN_VALUE;
        int compared = 0;
        for (Pass p : r.passes) {
            if (p.time() < previousTime) {
                fail("pass at " + p.time() + " after one at " + previousTime);
            }
            previousTime = p.time();
            Pass before = last.put(p.vehicle(), p);
            if (before == null) {
                continue;
            }
            int blocks = grid.blocksBetween(before.reader(), p.reader());
            double kmh = blocks * CityGrid.BLOCK_M / 1000.0 / ((p.time() - before.time()) / (double) H);
            double limit = fleet.isEbike(p.vehicle()) ? 30 : TrafficModel.FASTEST_KMH; // e-bikes: 22 km/h, 30 when stolen
            if (kmh > limit) {
                fail("vehicle " + p.vehicle() + " from reader " + before.reader() + " to " + p.reader() + " at " + kmh + " km/h");
            }
            compared += blocks > 0 ? 1 : 0;
        }
        assertThat(compared).isGreaterThan(10_000);
    }

    @Test
    void advance_rushHour_hasManyMoreTripsThanTheNight() {
        int night = run(5, 3 * H, H, 0).passes.size();
        int rush = run(5, 8 * H, H, 0).passes.size();
        assertThat(rush).isGreaterThan(10 * night);
    }

    @Test
    void advance_thief_neverPassesAReaderTwice_andOnlyPassesAfterTheReportAreListed() {
        Recorder r = run(9, 9 * H, 2 * H, 15);
        assertThat(r.reports).hasSizeGreaterThanOrEqualTo(10);
        Map<Integer, Theft> reported = new HashMap<>();
        r.reports.forEach(t -> reported.put(t.vehicle(), t));
        Map<Integer, Set<Integer>> seen = new HashMap<>();
        int listed = 0;
        for (Pass p : r.passes) {
            Theft t = reported.get(p.vehicle());
            boolean afterReport = t != null && p.time() >= t.reportedAt();
            assertThat(p.listed()).isEqualTo(afterReport);
            if (t != null && p.time() > t.stolenAt()) {
                assertThat(p.thief()).isTrue();
                assertThat(seen.computeIfAbsent(p.vehicle(), v -> new HashSet<>()).add(p.reader()))
                        .as("thief of %d passes reader %d again", p.vehicle(), p.reader()).isTrue();
            }
            listed += p.listed() ? 1 : 0;
        }
        assertThat(listed).isGreaterThan(50);
        for (Theft t : r.reports) {
            assertThat(t.reportedAt() - t.stolenAt()).isBetween(60_000L, 600_000L);
        }
    }

    @Test
    void burst_severalReadsOverOneToTwoSeconds_rssiRisingThenFalling() {
        Recorder r = run(2, 8 * H, H / 4, 0);
        for (Pass p : r.passes.subList(0, 200)) {
            Burst b = Burst.of(p, 2);
            assertThat(b.size()).isBetween(3, 6);
            int span = b.offsetsMs()[b.size() - 1] - b.offsetsMs()[0];
            assertThat(span).isBetween(990, 2_000);
            int peak = 0;
            for (int k = 1; k < b.size(); k++) {
                assertThat(b.offsetsMs()[k]).isGreaterThan(b.offsetsMs()[k - 1]);
                if (b.rssi()[k] > b.rssi()[peak]) {
                    peak = k;
                }
            }
            for (int k = 1; k <= peak; k++) {
                assertThat(b.rssi()[k]).as("rising to the peak").isGreaterThan(b.rssi()[k - 1]);
            }
            for (int k = peak + 1; k < b.size(); k++) {
                assertThat(b.rssi()[k]).as("falling after it").isLessThanOrEqualTo(b.rssi()[k - 1]);
            }
            assertThat(b.rssi()[peak] - Math.min(b.rssi()[0], b.rssi()[b.size() - 1])).isGreaterThanOrEqualTo(10);
            assertThat(Burst.of(p, 2)).usingRecursiveComparison().isEqualTo(b);
        }
    }
}
