package io.tagwatch.hotlist;

import io.tagwatch.registry.OpenTheft;
import java.util.List;

/** Immutable snapshot of the open theft reports, keyed by tag. Any thread; lock-free. */
final class StolenList {
    private final long version;
    private final OpenTheft[] thefts;
    private final LongIndexMap index;

    StolenList(long version, List<OpenTheft> open) {
        this.version = version;
        this.thefts = open.toArray(new OpenTheft[0]);
        long[] tags = new long[thefts.length];
        for (int i = 0; i < thefts.length; i++) {
            tags[i] = thefts[i].vehicle().tag();
        }
        this.index = new LongIndexMap(tags, tags.length);
    }

    long version() {
        return version;
    }

    int size() {
        return thefts.length;
    }

    OpenTheft lookup(long tag) {
        int i = index.get(tag);
        return i < 0 ? null : thefts[i];
    }
}
