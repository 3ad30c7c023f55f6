package io.tagwatch.ingest;

import io.tagwatch.hotlist.HotLists;
import io.tagwatch.registry.ReaderDirectory;
import io.tagwatch.registry.ReaderInfo;
import io.tagwatch.registry.RegisteredTags;

/**
 * A cloned tag: the same tag at two readers too far apart for the time between the two
 * sightings — the implied speed is above the limit of the vehicle's kind (e-bike, motorcycle;
 * an unregistered tag gets the motorcycle limit). Readers closer than {@value #MIN_DISTANCE_M} m
 * are never compared, so a reader's clock a little off cannot fake a speed.
 *
 * <p>Single-threaded: called by the match thread on the first read of each sighting.
 */
public final class ClonedTagRule {
    static final double MIN_DISTANCE_M = 500;

    private final LastSeenTable lastSeen;
    private final ReaderDistances distances = new ReaderDistances();
    private final ReaderDirectory readers;
    private final HotLists lists;
    private final double ebikeKmh;
    private final double motorcycleKmh;
    private String evidence;

    public ClonedTagRule(ReaderDirectory readers, HotLists lists, int maxTrackedTags, double ebikeKmh, double motorcycleKmh) {
        this.lastSeen = new LastSeenTable(maxTrackedTags);
        this.readers = readers;
        this.lists = lists;
        this.ebikeKmh = ebikeKmh;
        this.motorcycleKmh = motorcycleKmh;
    }

    /** Loads the tag's entry ahead of {@link #check} (see {@link io.tagwatch.dedup.DedupWindow#touch}). */
    long touch(long tag) {
        return lastSeen.touch(tag);
    }

    /** Records this sighting; true when it and the tag's previous sighting cannot both be the same vehicle. */
    boolean check(long tag, int reader, long time) {
        int previous = lastSeen.put(tag, reader, time);
        if (previous < 0 || previous == reader) {
            return false;
        }
        ReaderInfo a = readers.byIndex(previous);
        ReaderInfo b = readers.byIndex(reader);
        if (a == null || b == null) {
            return false;
        }
        double meters = distances.meters(a, b);
        if (meters < MIN_DISTANCE_M) {
            return false;
        }
        long ms = Math.abs(time - lastSeen.previousTime);
        double limit = lists.kind(tag) == RegisteredTags.EBIKE ? ebikeKmh : motorcycleKmh;
        double kmh = ms == 0 ? Double.POSITIVE_INFINITY : meters / 1000.0 / (ms / 3_600_000.0);
        if (kmh <= limit) {
            return false;
        }
        evidence = String.format(java.util.Locale.ROOT, "%.1f km from reader %s in %.0f s: %.0f km/h (limit %.0f)",
                meters / 1000, a.id(), ms / 1000.0, Math.min(kmh, 99_999), limit);
        return true;
    }

    /** Why the last {@link #check} answered true. */
    String lastEvidence() {
        return evidence;
    }

    /** Times the last-seen table was full and started afresh. */
    public long resets() {
        return lastSeen.resets();
    }
}
