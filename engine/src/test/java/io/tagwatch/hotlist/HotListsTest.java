package io.tagwatch.hotlist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.registry.OpenTheft;
import io.tagwatch.registry.Vehicle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HotListsTest {
    private static OpenTheft theft(long reportId, long tag) {
        return new OpenTheft(reportId, Instant.EPOCH,
                new Vehicle(reportId, "P" + reportId, tag, "ebike", "b", "c", 1, "o", "p", true));
    }

    @Test
    void stolen_findsEveryListedTag_andNoOther_includingZeroAndTopBitTags() {
        List<OpenTheft> open = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            open.add(theft(i + 1, i * 7919L));
        }
        open.add(theft(9_001, 0xFFFFFFFFFFFFFFF0L));
        HotLists lists = new HotLists(() -> open, io.tagwatch.registry.RegisteredTags::of, List::of);
        lists.load();
        for (OpenTheft t : open) {
            assertThat(lists.stolen(t.vehicle().tag())).isSameAs(t);
        }
        assertThat(lists.stolen(1)).isNull();
        assertThat(lists.stolen(0xFFFFFFFFFFFFFFFFL)).isNull();
        assertThat(lists.stolenSize()).isEqualTo(5_001);
        lists.close();
    }

    @Test
    void requestRebuild_swapsInANewVersion_andBurstsShareARebuild() throws Exception {
        List<OpenTheft> open = new ArrayList<>();
        AtomicInteger loads = new AtomicInteger();
        HotLists lists = new HotLists(() -> {
            loads.incrementAndGet();
            return List.copyOf(open);
        }, () -> io.tagwatch.registry.RegisteredTags.of(7, 8), List::of);
        long v0 = lists.load();
        assertThat(lists.stolen(42)).isNull();
        assertThat(lists.registered(7)).isTrue();
        assertThat(lists.registered(9)).isFalse();
        open.add(theft(1, 42));
        long v1 = lists.requestRebuild().get();
        assertThat(v1).isGreaterThan(v0);
        assertThat(lists.stolen(42)).isNotNull();

        int before = loads.get();
        List<CompletableFuture<Long>> burst = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            burst.add(lists.requestRebuild());
        }
        for (CompletableFuture<Long> f : burst) {
            f.get();
        }
        assertThat(loads.get() - before).as("50 requests coalesce into a few rebuilds").isLessThan(50);
        lists.close();
    }
}
