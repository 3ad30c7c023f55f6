package io.tagwatch.sim;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A city's traffic in simulated time, as a stream of passes of vehicles by readers.
 *
 * <p>Each vehicle is parked at a junction and makes trips whose number per hour follows the
 * time of day (a morning and an evening rush, quiet nights; {@value #TRIPS_PER_DAY} trips a
 * day on average). A trip drives along the grid from where the vehicle is parked to a
 * junction 2 to 14 blocks away, at a speed of its kind (e-bike 12-22 km/h, motorcycle
 * 22-40 km/h) with a wait of up to 25 s at each junction, and passes every reader on the way;
 * the vehicle then parks there. So no vehicle is ever in two places at once and the speed
 * between any two of its sightings is a speed it can ride: the engine's cloned-tag rule must
 * stay silent.
 *
 * <p>Thefts happen at random times in the first part of the run: a parked vehicle is ridden
 * away by a thief (e-bike 22-30 km/h, motorcycle 35-55 km/h) on a route that never passes a
 * reader twice, 15 to 40 junctions long, and the owner reports it 1 to 10 minutes after the
 * theft. Every pass of a reported vehicle is {@link Pass#listed()}: the ground truth of the
 * hits the engine must raise. Ordinary trips of stolen vehicles stop.
 *
 * <p>Junctions of an incomplete last grid row are never driven through. Deterministic for a
 * seed. Not thread-safe: one thread calls {@link #advance}.
 */
public final class TrafficModel {
    static final double TRIPS_PER_DAY = 2.5;
    /** Relative trips per hour of the day, 00:00 to 23:00. */
    static final double[] HOURLY_WEIGHT = {1, 0.5, 0.3, 0.3, 0.5, 1.5, 4, 8, 10, 7, 5, 5, 6, 5, 5, 6, 8, 10, 8, 5, 4, 3, 2, 1.5};
    private static final double WEIGHT_SUM = java.util.Arrays.stream(HOURLY_WEIGHT).sum();
    static final double FASTEST_KMH = 55;
    private static final long HOUR_MS = 3_600_000;

    private static final int PASS = 0;
    private static final int ARRIVE = 1;
    private static final int THEFT = 2;
    private static final int REPORT = 3;

    private record Event(long time, long seq, int type, int vehicle, int reader) {
    }

    private final CityGrid grid;
    private final Fleet fleet;
    private final SplittableRandom random;
    private final int rows;
    private final int cols;
    private final int[] parkedAt;
    private final BitSet moving = new BitSet();
    private final BitSet stolen = new BitSet();
    private final BitSet listed = new BitSet();
    private final long[] stolenAt;
    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
            a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final List<Theft> thefts = new ArrayList<>();
    private long seq;
    private long nextSecond;
    private long now;

    /**
     * @param startMs     simulated time of the start, ms since a midnight (07:30 is {@code 27_000_000})
     * @param thefts      vehicles stolen at random times in {@code [startMs + 1 min, startMs + theftWindowMs]}
     */
    public TrafficModel(CityGrid grid, Fleet fleet, long seed, long startMs, int thefts, long theftWindowMs) {
        this.grid = grid;
        this.fleet = fleet;
        this.random = new SplittableRandom(seed);
        this.cols = grid.side();
        this.rows = grid.readers().size() / grid.side();
        if (rows < 1 || fleet.size() < 1) {
            throw new IllegalArgumentException("a city needs a full row of readers and a vehicle: readers="
                    + grid.readers().size() + " vehicles=" + fleet.size());
        }
        this.parkedAt = new int[fleet.size()];
        for (int v = 0; v < parkedAt.length; v++) {
            parkedAt[v] = random.nextInt(rows * cols);
        }
        this.stolenAt = new long[fleet.size()];
        long first = startMs + 60_000;
        for (int i = 0; i < thefts; i++) {
            long at = first + (theftWindowMs > 60_000 ? random.nextLong(theftWindowMs - 60_000) : 0);
            schedule(at, THEFT, -1, -1);
        }
        this.nextSecond = startMs / 1000 + 1;
        this.now = startMs;
    }

    /** Simulated time reached by the last {@link #advance}. */
    public long now() {
        return now;
    }

    /** The thefts so far, in the order they happened. */
    public List<Theft> thefts() {
        return List.copyOf(thefts);
    }

    /** Runs the city up to {@code untilMs}, telling {@code listener} every pass and theft report in time order. */
    public void advance(long untilMs, TrafficListener listener) {
        for (; nextSecond * 1000 <= untilMs; nextSecond++) {
            startTrips(nextSecond * 1000);
        }
        while (!events.isEmpty() && events.peek().time <= untilMs) {
            Event e = events.poll();
            switch (e.type) {
                case PASS -> listener.pass(new Pass(e.vehicle, e.reader, e.time, stolen.get(e.vehicle), listed.get(e.vehicle)));
                case ARRIVE -> moving.clear(e.vehicle);
                case THEFT -> steal(e.time);
                case REPORT -> {
                    listed.set(e.vehicle);
                    Theft t = new Theft(e.vehicle, e.reader, stolenAt[e.vehicle], e.time);
                    thefts.add(t);
                    listener.theftReported(t);
                }
                default -> throw new IllegalStateException("event type=" + e.type);
            }
        }
        now = untilMs;
    }

    /** Trips starting in the simulated second from {@code secondMs}: a Poisson count for the hour's rate. */
    private void startTrips(long secondMs) {
        int hour = (int) ((secondMs / HOUR_MS) % 24);
        double perSecond = fleet.size() * TRIPS_PER_DAY * HOURLY_WEIGHT[hour] / WEIGHT_SUM / 3600.0;
        int n = poisson(perSecond);
        for (int i = 0; i < n; i++) {
            int v = parkedVehicle();
            if (v >= 0) {
                trip(v, secondMs + random.nextInt(1000));
            }
        }
    }

    private int poisson(double lambda) {
        if (lambda > 30) {
            return Math.max(0, (int) Math.round(lambda + Math.sqrt(lambda) * gaussian()));
        }
        double limit = Math.exp(-lambda);
        double p = random.nextDouble();
        int k = 0;
        while (p > limit) {
            p *= random.nextDouble();
            k++;
        }
        return k;
    }

    private double gaussian() {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** A vehicle that is parked and not stolen, or -1 when a few picks found none. */
    private int parkedVehicle() {
        for (int tries = 0; tries < 20; tries++) {
            int v = random.nextInt(fleet.size());
            if (!moving.get(v) && !stolen.get(v)) {
                return v;
            }
        }
        return -1;
    }

    private void trip(int v, long start) {
        int from = parkedAt[v];
        int to = -1;
        for (int tries = 0; tries < 20 && to < 0; tries++) {
            int c = random.nextInt(rows * cols);
            int blocks = grid.blocksBetween(from, c);
            if (blocks >= 2 && blocks <= 14) {
                to = c;
            }
        }
        if (to < 0) {
            return; // a city too small for a trip from here
        }
        double kmh = fleet.isEbike(v) ? 12 + random.nextDouble() * 10 : 22 + random.nextDouble() * 18;
        long t = start;
        int at = from;
        while (at != to) {
            int dr = Integer.signum(to / cols - at / cols);
            int dc = Integer.signum(to % cols - at % cols);
            boolean alongRow = dr == 0 || (dc != 0 && random.nextBoolean());
            at = alongRow ? at + dc : at + dr * cols;
            t += blockMs(kmh);
            schedule(t, PASS, v, at);
            t += random.nextInt(25_000); // the lights
        }
        moving.set(v);
        parkedAt[v] = to;
        schedule(t + 1, ARRIVE, v, to);
    }

    private void steal(long time) {
        int v = parkedVehicle();
        if (v < 0) {
            return;
        }
        stolen.set(v);
        stolenAt[v] = time;
        double kmh = fleet.isEbike(v) ? 22 + random.nextDouble() * 8 : 35 + random.nextDouble() * (FASTEST_KMH - 35);
        int length = 15 + random.nextInt(26);
        BitSet visited = new BitSet();
        int from = parkedAt[v];
        int at = from;
        visited.set(at);
        long t = time;
        int[] options = new int[4];
        for (int step = 0; step < length; step++) {
            int n = 0;
            int r = at / cols;
            int c = at % cols;
            if (r > 0 && !visited.get(at - cols)) {
                options[n++] = at - cols;
            }
            if (r < rows - 1 && !visited.get(at + cols)) {
                options[n++] = at + cols;
            }
            if (c > 0 && !visited.get(at - 1)) {
                options[n++] = at - 1;
            }
            if (c < cols - 1 && !visited.get(at + 1)) {
                options[n++] = at + 1;
            }
            if (n == 0) {
                break; // boxed in: the thief stops here
            }
            at = options[random.nextInt(n)];
            visited.set(at);
            t += blockMs(kmh) + random.nextInt(5_000);
            schedule(t, PASS, v, at);
        }
        parkedAt[v] = at;
        schedule(time + 60_000 + random.nextInt(9 * 60_000), REPORT, v, from);
    }

    private static long blockMs(double kmh) {
        return Math.round(CityGrid.BLOCK_M / (kmh / 3.6) * 1000);
    }

    private void schedule(long time, int type, int vehicle, int reader) {
        events.add(new Event(time, seq++, type, vehicle, reader));
    }
}
