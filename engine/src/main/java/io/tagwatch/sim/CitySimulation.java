package io.tagwatch.sim;

import io.tagwatch.read.ReadBatch;
import io.tagwatch.read.ReadPayloadEncoder;
import io.tagwatch.read.TagIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a {@link TrafficModel} against real readers: each {@link #tick} advances the city to
 * the simulated time the {@link SimClock} gives for now, turns every pass into its
 * {@link Burst} of reads in its reader's batch (stamped with wall-clock time), and publishes
 * each reader's batch. When an owner reports a theft, the batches built so far are published
 * and acknowledged first, then {@link TheftReporter#report} runs, so the engine sees the
 * report exactly between the passes before it and those after.
 *
 * <p>The ground truth: {@link #expectedHits()} holds "TAG@READER" for every {@link Pass#listed()}
 * pass whose batch was acknowledged. Deterministic for a seed (the passes and reads; not the
 * wall-clock timing). Not thread-safe: {@link #tick} runs on one thread.
 */
public final class CitySimulation implements TrafficListener {
    /** Payload form the readers send. */
    public enum Payload { BINARY, JSON, MIXED }

    /** Puts a reported theft on the stolen list of whatever the readers talk to. */
    @FunctionalInterface
    public interface TheftReporter {
        void report(Theft theft, long tag) throws Exception;
    }

    private final CityGrid grid;
    private final Fleet fleet;
    private final TrafficModel model;
    private final SimClock clock;
    private final Map<String, ReaderClient> clients;
    private final Payload payload;
    private final long seed;
    private final TheftReporter reporter;
    private final ReadBatch[] batches;
    private final List<List<String>> listedPasses;
    private final Set<String> expectedHits = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> publishedAt = new ConcurrentHashMap<>();
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong readsSent = new AtomicLong();
    private final AtomicLong batchesSent = new AtomicLong();
    private final AtomicLong batchesAcked = new AtomicLong();
    private final AtomicLong batchesFailed = new AtomicLong();

    public CitySimulation(CityGrid grid, Fleet fleet, TrafficModel model, SimClock clock, Map<String, ReaderClient> clients,
                          Payload payload, long seed, TheftReporter reporter) {
        this.grid = grid;
        this.fleet = fleet;
        this.model = model;
        this.clock = clock;
        this.clients = clients;
        this.payload = payload;
        this.seed = seed;
        this.reporter = reporter;
        int n = grid.readers().size();
        this.batches = new ReadBatch[n];
        this.listedPasses = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            batches[i] = new ReadBatch(16);
            listedPasses.add(new ArrayList<>(0));
        }
    }

    /** Advances the city to now and publishes what the readers saw. */
    public void tick() {
        model.advance(clock.simAt(System.currentTimeMillis()), this);
        publishAll();
    }

    /**
     * Ticks every {@code tickMs} for {@code wallMs} of real time, running {@code eachSecond}
     * about once a second (progress lines), then publishes what is left.
     */
    public void run(long wallMs, long tickMs, Runnable eachSecond) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + wallMs * 1_000_000L;
        long next = start;
        long nextSecond = start + 1_000_000_000L;
        while (System.nanoTime() < end) {
            tick();
            next += tickMs * 1_000_000L;
            long sleep = (next - System.nanoTime()) / 1_000_000;
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
            if (System.nanoTime() >= nextSecond) {
                eachSecond.run();
                nextSecond += 1_000_000_000L;
            }
        }
    }

    @Override
    public void pass(Pass p) {
        passes.incrementAndGet();
        Burst burst = Burst.of(p, seed);
        long tag = fleet.tag(p.vehicle());
        ReadBatch b = batches[p.reader()];
        for (int k = 0; k < burst.size(); k++) {
            b.add(tag, clock.wallAt(p.time() + burst.offsetsMs()[k]), burst.rssi()[k], burst.antenna()[k]);
        }
        if (p.listed()) {
            listedPasses.get(p.reader()).add(TagIds.format(tag) + "@" + grid.readers().get(p.reader()).id());
        }
    }

    @Override
    public void theftReported(Theft theft) {
        publishAll();
        awaitAcks();
        try {
            reporter.report(theft, fleet.tag(theft.vehicle()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot report the theft of vehicle=" + theft.vehicle(), e);
        }
    }

    private void publishAll() {
        List<SimReader> readers = grid.readers();
        for (int i = 0; i < readers.size(); i++) {
            ReadBatch b = batches[i];
            if (b.size() == 0) {
                continue;
            }
            boolean binary = payload == Payload.BINARY || (payload == Payload.MIXED && i % 2 == 0);
            byte[] bytes = binary ? ReadPayloadEncoder.binary(b) : ReadPayloadEncoder.json(b);
            List<String> truth = List.copyOf(listedPasses.get(i));
            readsSent.addAndGet(b.size());
            batchesSent.incrementAndGet();
            long sentAt = System.currentTimeMillis();
            truth.forEach(key -> publishedAt.put(key, sentAt));
            clients.get(readers.get(i).id()).publish(bytes, () -> {
                batchesAcked.incrementAndGet();
                expectedHits.addAll(truth);
            }, batchesFailed::incrementAndGet);
            b.clear();
            listedPasses.get(i).clear();
        }
    }

    /** Waits (up to 30 s) until every batch published is acknowledged or failed. */
    public void awaitAcks() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (batchesAcked.get() + batchesFailed.get() < batchesSent.get() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public TrafficModel model() {
        return model;
    }

    public Set<String> expectedHits() {
        return Set.copyOf(expectedHits);
    }

    /** When the batch holding each listed pass ("TAG@READER") was published, epoch ms. */
    public Map<String, Long> publishedAt() {
        return Map.copyOf(publishedAt);
    }

    public long passes() {
        return passes.get();
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
