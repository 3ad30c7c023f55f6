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

    /** The reader with this id, or null. */
    public ReaderInfo byId(String id) {
        return byId.get(id);
    }

    /** The reader with this index, or null. */
    public ReaderInfo byIndex(int index) {
        ReaderInfo[] snapshot = byIndex;
        return index >= 0 && index < snapshot.length ? snapshot[index] : null;
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
