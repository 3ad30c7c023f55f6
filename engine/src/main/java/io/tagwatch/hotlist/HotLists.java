package io.tagwatch.hotlist;

import io.tagwatch.registry.OpenTheft;
import io.tagwatch.registry.RegisteredTags;
import io.tagwatch.registry.WatchEntry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lists a read is matched against, each an immutable snapshot swapped atomically.
 * The hot path calls {@link #stolen(long)} (no lock, no allocation). Changes call
 * {@link #requestRebuild()}: requests that arrive while a rebuild is pending share it, so
 * a burst of changes costs one reload.
 *
 * <p>Thread-safe. Rebuilds run on one dedicated thread.
 */
public final class HotLists implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HotLists.class);

    private final Supplier<List<OpenTheft>> stolenSource;
    private final Supplier<RegisteredTags> registeredSource;

    private final Supplier<List<WatchEntry>> watchSource;
    private volatile WatchList watch = new WatchList(List.of());
    /**
     * The registered tags and their kinds, swapped as one; {@code version} is the snapshot's build
     * time in epoch ms (strictly increasing), as the stolen list's.
     */
    private record Registered(LongIndexMap map, byte[] kinds, long version) {
    }

    private volatile Registered registered = new Registered(new LongIndexMap(new long[0], 0), new byte[0], 0L);
    private CompletableFuture<Long> pendingRegistry; // guarded by this
    private final ExecutorService rebuilder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hotlist-rebuild");
        t.setDaemon(true);
        return t;
    });
    private volatile StolenList stolen = new StolenList(0, List.of());
    private CompletableFuture<Long> pending; // guarded by this

    public HotLists(Supplier<List<OpenTheft>> stolenSource, Supplier<RegisteredTags> registeredSource,
                    Supplier<List<WatchEntry>> watchSource) {
        this.stolenSource = stolenSource;
        this.registeredSource = registeredSource;
        this.watchSource = watchSource;
    }

    /**
     * The watchlist entry covering this tag at a reader of this district now, or null.
     * Hot path: lock-free; allocation-free.
     */
    public WatchEntry watched(long tag, String readerDistrict, long nowMillis) {
        return watch.lookup(tag, readerDistrict, nowMillis);
    }

    public int watchSize() {
        return watch.size();
    }

    /** Whether any vehicle is registered with this tag. Hot path: lock-free and allocation-free. */
    public boolean registered(long tag) {
        return registered.map().contains(tag);
    }

    /** The vehicle kind of a registered tag ({@link RegisteredTags#EBIKE}...), or 0 when not registered. */
    public byte kind(long tag) {
        Registered r = registered;
        int i = r.map().get(tag);
        return i < 0 ? 0 : r.kinds()[i];
    }

    /** The build time (epoch ms, strictly increasing) of the registered tags' snapshot: an unregistered hit's list version. */
    public long registeredVersion() {
        return registered.version();
    }

    public int registeredSize() {
        return registered.kinds().length;
    }

    /** Schedules a reload of the registered tags (coalesced like {@link #requestRebuild}). */
    public synchronized CompletableFuture<Long> requestRegistryRebuild() {
        if (pendingRegistry != null) {
            return pendingRegistry;
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        pendingRegistry = f;
        rebuilder.execute(() -> {
            synchronized (this) {
                pendingRegistry = null;
            }
            try {
                f.complete((long) reloadRegistered());
            } catch (RuntimeException e) {
                log.error("registered tags reload failed; keeping {} tags", registeredSize(), e);
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private int reloadRegistered() {
        RegisteredTags r = registeredSource.get();
        long[] tags = r.tags();
        registered = new Registered(new LongIndexMap(tags, tags.length), r.kinds(),
                Math.max(registered.version() + 1, System.currentTimeMillis()));
        log.info("registered tags loaded: {}", tags.length);
        return tags.length;
    }

    /** The open theft for this tag, or null. Hot path: lock-free and allocation-free. */
    public OpenTheft stolen(long tag) {
        return stolen.lookup(tag);
    }

    /** Version of the stolen list snapshot: its build time in epoch ms, strictly increasing with every rebuild. */
    public long stolenVersion() {
        return stolen.version();
    }

    public int stolenSize() {
        return stolen.size();
    }

    /**
     * Schedules a rebuild from the registry. The future completes with the new version once
     * a rebuild that started after this call has been swapped in.
     */
    public synchronized CompletableFuture<Long> requestRebuild() {
        if (pending != null) {
            return pending;
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        pending = f;
        rebuilder.execute(() -> {
            synchronized (this) {
                pending = null; // later requests need a rebuild that starts after them
            }
            try {
                f.complete(rebuild());
            } catch (RuntimeException e) {
                log.error("hot list rebuild failed; keeping version={}", stolen.version(), e);
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** Loads the lists now, on the caller's thread (start-up). */
    public long load() {
        reloadRegistered();
        return rebuild();
    }

    private final Object rebuildLock = new Object();

    private long rebuild() {
        synchronized (rebuildLock) {
            return rebuildLocked();
        }
    }

    private long rebuildLocked() {
        watch = new WatchList(watchSource.get());
        List<OpenTheft> open = stolenSource.get();
        // The version is the build time in epoch ms (and strictly increasing): it keeps growing
        // across restarts, and a hit's listVersion says when the list it matched was built.
        StolenList next = new StolenList(Math.max(stolen.version() + 1, System.currentTimeMillis()), open);
        stolen = next;
        log.info("stolen list version={} vehicles={}; watchlist entries={}", next.version(), next.size(), watch.size());
        return next.version();
    }

    @Override
    public void close() {
        rebuilder.shutdownNow();
        try {
            rebuilder.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
