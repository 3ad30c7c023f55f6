package io.tagwatch.hotlist;

import io.tagwatch.registry.WatchEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Immutable snapshot of the active watchlist, keyed by tag (a vehicle may have several entries). */
final class WatchList {
    private final LongIndexMap index;
    private final WatchEntry[][] entries;

    WatchList(List<WatchEntry> active) {
        Map<Long, List<WatchEntry>> byTag = new LinkedHashMap<>();
        for (WatchEntry e : active) {
            byTag.computeIfAbsent(e.vehicle().tag(), t -> new ArrayList<>()).add(e);
        }
        long[] tags = new long[byTag.size()];
        entries = new WatchEntry[byTag.size()][];
        int i = 0;
        for (Map.Entry<Long, List<WatchEntry>> e : byTag.entrySet()) {
            tags[i] = e.getKey();
            entries[i] = e.getValue().toArray(new WatchEntry[0]);
            i++;
        }
        index = new LongIndexMap(tags, tags.length);
    }

    WatchEntry lookup(long tag, String district, long now) {
        int i = index.get(tag);
        if (i < 0) {
            return null;
        }
        for (WatchEntry e : entries[i]) {
            if (e.covers(district, now)) {
                return e;
            }
        }
        return null;
    }

    int size() {
        return entries.length;
    }
}
