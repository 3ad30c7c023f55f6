package io.tagwatch.registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every provisioned reader, by id and by dense index. Lookups are lock-free; additions are
 * rare (provisioning) and copy the index array.
 */
public final class ReaderDirectory {
    private final Map<String, ReaderInfo> byId = new ConcurrentHashMap<>();
    private volatile ReaderInfo[] byIndex = new ReaderInfo[0];
    /** Retired since start: kept in the index (its hits and sightings still name it), refused at connect. */
    private final java.util.Set<String> retired = ConcurrentHashMap.newKeySet();

    /** The reader with this id, or null. */
    public ReaderInfo byId(String id) {
        return byId.get(id);
    }

    /** The reader with this index, or null. */
    public ReaderInfo byIndex(int index) {
        ReaderInfo[] snapshot = byIndex;
        return index >= 0 && index < snapshot.length ? snapshot[index] : null;
    }

    /** True when the reader was retired while this node ran (a restart does not load it at all). */
    public boolean retired(String id) {
        return retired.contains(id);
    }

    void retire(String id) {
        retired.add(id);
    }

    public int size() {
        return byIndex.length;
    }

    synchronized ReaderInfo add(String id, String name, double lat, double lon, String district) {
        ReaderInfo existing = byId.get(id);
        if (existing != null) {
            return existing;
        }
        ReaderInfo[] old = byIndex;
        ReaderInfo info = new ReaderInfo(old.length, id, name, lat, lon, district);
        ReaderInfo[] grown = java.util.Arrays.copyOf(old, old.length + 1);
        grown[info.index()] = info;
        byIndex = grown;
        byId.put(id, info);
        return info;
    }
}
