package io.tagwatch.hotlist;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LongIndexMapTest {

    @Property(tries = 300)
    void agreesWithAHashMap_forAnyTags(@ForAll @Size(max = 500) long[] tags, @ForAll @Size(max = 200) long[] probes) {
        LongIndexMap map = new LongIndexMap(tags, tags.length);
        Map<Long, Integer> expected = new HashMap<>();
        for (int i = 0; i < tags.length; i++) {
            expected.put(tags[i], i); // a repeated tag keeps its last index, as the map does
        }
        for (long[] set : new long[][] {tags, probes, {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE}}) {
            for (long t : set) {
                assertThat(map.get(t)).as("get(%d)", t).isEqualTo(expected.getOrDefault(t, -1));
                assertThat(map.contains(t)).as("contains(%d)", t).isEqualTo(expected.containsKey(t));
            }
        }
    }

    @Test
    void tagZero_isAnOrdinaryTag() {
        LongIndexMap map = new LongIndexMap(new long[] {7, 0, 9}, 3);
        assertThat(map.get(0)).isEqualTo(1);
        assertThat(map.contains(0)).isTrue();
        assertThat(new LongIndexMap(new long[] {7}, 1).contains(0)).isFalse();
    }

    @Test
    void keysThatCollide_areAllFound() {
        // Multiples of 2^60 share their low bits; with a small table many land on one probe chain.
        long[] tags = new long[16];
        for (int i = 0; i < tags.length; i++) {
            tags[i] = ((long) i + 1) << 60;
        }
        LongIndexMap map = new LongIndexMap(tags, tags.length);
        for (int i = 0; i < tags.length; i++) {
            assertThat(map.get(tags[i])).isEqualTo(i);
        }
        assertThat(map.get(17L << 59)).isEqualTo(-1);
    }
}
