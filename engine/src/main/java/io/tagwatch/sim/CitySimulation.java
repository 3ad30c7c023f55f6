package io.tagwatch.sim;

import io.tagwatch.read.ReadBatch;
import io.tagwatch.read.ReadPayloadEncoder;
import io.tagwatch.read.TagIds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Traffic through the city, one tick a second: ordinary vehicles pass random readers, and each
 * stolen vehicle drives a route along the grid, passing a new junction every few seconds and
 * never the same one twice, so each of its passes must raise exactly one hit. Each pass is a
 * burst of three reads over about a second with the rssi rising and falling. Even-numbered
 * readers send binary v1 payloads, odd-numbered ones JSON.
 *
 * <p>The ground truth: {@link #expectedHits()} holds "TAG@READER" for every stolen pass whose
 * batch the engine acknowledged. Deterministic for a seed (the routes and picks; not the
 * timing). Not thread-safe: {@link #tick} runs on one thread.
 */
public final class CitySimulation {
    private static final int[] BURST_RSSI = {-72, -58, -66};
    private static final int[] BURST_OFFSET_MS = {0, 450, 900};

    private final CityGrid grid;
    private final Fleet fleet;
    private final Map<String, ReaderClient> clients;
    private final int passesPerTick;
    private final int hopSeconds;
    private final SplittableRandom random;
    private final Set<Integer> stolen = new HashSet<>();
    private final List<Thief> thieves = new ArrayList<>();
    private final Set<String> expectedHits = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> publishedAt = new ConcurrentHashMap<>();
    private final AtomicLong readsSent = new AtomicLong();
    private final AtomicLong batchesSent = new AtomicLong();
    private final AtomicLong batchesAcked = new AtomicLong();
    private final AtomicLong batchesFailed = new AtomicLong();
    private long tickNo;

    /** A stolen vehicle's drive: where it is, where it has been, when it moves next. */
    private static final class Thief {
        final int vehicle;
        final Set<SimReader> visited = new HashSet<>();
        SimReader at;
        long nextPassTick;

        Thief(int vehicle) {
            this.vehicle = vehicle;
        }
    }

    public CitySimulation(CityGrid grid, Fleet fleet, int[] stolenVehicles, Map<String, ReaderClient> clients,
                          int passesPerSecond, int hopSeconds, long seed) {
        this.grid = grid;
        this.fleet = fleet;
        this.clients = clients;
        this.passesPerTick = passesPerSecond;
        this.hopSeconds = hopSeconds;
        this.random = new SplittableRandom(seed);
        for (int v : stolenVehicles) {
            stolen.add(v);
            Thief t = new Thief(v);
            t.nextPassTick = random.nextInt(Math.max(1, hopSeconds));
            thieves.add(t);
        }
    }

    /** Picks {@code count} distinct vehicles to be stolen, deterministically for the seed. */
    public static int[] pickStolen(int fleetSize, int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        Set<Integer> picked = new HashSet<>();
        while (picked.size() < Math.min(count, fleetSize)) {
            picked.add(r.nextInt(fleetSize));
        }
        return picked.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** One second of traffic: builds each reader's batch and publishes it. */
    public void tick() {
        long now = System.currentTimeMillis() - 1000; // the burst spans the past second
        List<SimReader> readers = grid.readers();
        ReadBatch[] batches = new ReadBatch[readers.size()];
        List<List<String>> stolenPasses = new ArrayList<>(readers.size());
        for (int i = 0; i < readers.size(); i++) {
            batches[i] = new ReadBatch(16);
            stolenPasses.add(new ArrayList<>(0));
        }
        for (int p = 0; p < passesPerTick; p++) {
            int v = random.nextInt(fleet.size());
            if (stolen.contains(v)) {
                continue;
            }
            int r = random.nextInt(readers.size());
            addPass(batches[r], fleet.tag(v), now + random.nextInt(100));
        }
        for (Thief t : thieves) {
            if (tickNo < t.nextPassTick) {
                continue;
            }
            SimReader next = nextJunction(t);
            if (next == null) {
                continue; // nowhere new to go: the vehicle is parked
            }
            t.at = next;
            t.visited.add(next);
            t.nextPassTick = tickNo + hopSeconds;
            int r = readers.indexOf(next);
            addPass(batches[r], fleet.tag(t.vehicle), now + random.nextInt(100));
            stolenPasses.get(r).add(TagIds.format(fleet.tag(t.vehicle)) + "@" + next.id());
        }
        for (int i = 0; i < readers.size(); i++) {
            if (batches[i].size() == 0) {
                continue;
            }
            SimReader reader = readers.get(i);
            byte[] payload = i % 2 == 0 ? ReadPayloadEncoder.binary(batches[i]) : ReadPayloadEncoder.json(batches[i]);
            List<String> truth = stolenPasses.get(i);
            readsSent.addAndGet(batches[i].size());
            batchesSent.incrementAndGet();
            long sentAt = System.currentTimeMillis();
            truth.forEach(key -> publishedAt.put(key, sentAt));
            clients.get(reader.id()).publish(payload, () -> {
                batchesAcked.incrementAndGet();
                expectedHits.addAll(truth);
            }, batchesFailed::incrementAndGet);
        }
        tickNo++;
    }

    private SimReader nextJunction(Thief t) {
        if (t.at == null) {
            for (int tries = 0; tries < 100; tries++) {
                SimReader r = grid.readers().get(random.nextInt(grid.readers().size()));
                if (!t.visited.contains(r)) {
                    return r;
                }
            }
            return null;
        }
        int[][] moves = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
        List<SimReader> options = new ArrayList<>(4);
        for (int[] m : moves) {
            SimReader r = grid.at(t.at.row() + m[0], t.at.col() + m[1]);
            if (r != null && !t.visited.contains(r)) {
                options.add(r);
            }
        }
        if (options.isEmpty()) {
            return null;
        }
        return options.get(random.nextInt(options.size()));
    }

    private static void addPass(ReadBatch b, long tag, long start) {
        for (int k = 0; k < BURST_RSSI.length; k++) {
            b.add(tag, start + BURST_OFFSET_MS[k], BURST_RSSI[k], 1 + (k & 1));
        }
    }

    public Set<String> expectedHits() {
        return Set.copyOf(expectedHits);
    }

    /** When the batch holding each stolen pass ("TAG@READER") was published, epoch ms. */
    public Map<String, Long> publishedAt() {
        return Map.copyOf(publishedAt);
    }

    public long readsSent() {
        return readsSent.get();
    }

    public long batchesSent() {
        return batchesSent.get();
    }

    public long batchesAcked() {
        return batchesAcked.get();
    }

    public long batchesFailed() {
        return batchesFailed.get();
    }
}
