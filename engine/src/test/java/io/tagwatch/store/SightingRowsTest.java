package io.tagwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class SightingRowsTest {
    private static Sighting sighting(int i) {
        return new Sighting(0x9F3A000000L + i, "R-" + (i % 7), 1_764_380_000_000L + i, 1_764_380_000_500L + i, 1 + i % 9,
                i % 5 == 0 ? Integer.MIN_VALUE : -40 - i % 50);
    }

    @Test
    void rowsAcrossSeveralBlocks_readBackAsAdded_andAppendInOrder() {
        List<Sighting> first = new ArrayList<>();
        for (int i = 0; i < SightingRows.BLOCK * 2 + 17; i++) {
            first.add(sighting(i));
        }
        List<Sighting> second = new ArrayList<>();
        for (int i = 0; i < SightingRows.BLOCK + 3; i++) {
            second.add(sighting(1_000_000 + i));
        }
        List<String> ids = List.of("R-0", "R-1", "R-2", "R-3", "R-4", "R-5", "R-6");
        IntFunction<String> byNumber = ids::get;
        SightingRows rows = rowsOf(first, ids, byNumber);
        rows.addAll(rowsOf(second, ids, byNumber));

        List<Sighting> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(rows.size()).isEqualTo(all.size());
        List<Sighting> back = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            back.add(rows.get(i));
        }
        assertThat(back).isEqualTo(all);
        assertThat(rows.bestRssi(0)).as("no rssi stays no rssi").isEqualTo(Integer.MIN_VALUE);
        assertThat(new SightingRows(byNumber).isEmpty()).isTrue();
        assertThat(SightingRows.of(second).readerId(0)).as("numbered among themselves").isEqualTo(second.get(0).readerId());
    }

    @Test
    void rowsNumberedByAnotherTable_areNotAppended() {
        SightingRows rows = SightingRows.of(List.of(sighting(1)));
        assertThatThrownBy(() -> rows.addAll(SightingRows.of(List.of(sighting(2)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numbered by another table");
        assertThat(rows.size()).isEqualTo(1);
    }

    /** The rows of {@code sightings}, their readers numbered by their place in {@code ids}, as the engine's by the directory. */
    private static SightingRows rowsOf(List<Sighting> sightings, List<String> ids, IntFunction<String> byNumber) {
        SightingRows rows = new SightingRows(byNumber);
        for (Sighting s : sightings) {
            rows.add(s.tag(), ids.indexOf(s.readerId()), s.firstSeen(), s.lastSeen(), s.readCount(), s.bestRssi());
        }
        return rows;
    }

    @Test
    void aRowPastTheEnd_isRefused_evenInsideAnAllocatedBlock() {
        SightingRows rows = SightingRows.of(List.of(sighting(1), sighting(2)));
        assertThatThrownBy(() -> rows.tag(2)).isInstanceOf(IndexOutOfBoundsException.class).hasMessage("row 2 of 2");
    }

    @Test
    void released_rowsAreGone_andTheirBlocksTakeNewRowsWithoutShowingTheOldOnes() {
        List<Sighting> written = new ArrayList<>();
        for (int i = 0; i < SightingRows.BLOCK + 100; i++) {
            written.add(sighting(i));
        }
        SightingRows old = SightingRows.of(written);
        old.release();
        assertThat(old.size()).isZero();
        assertThatThrownBy(() -> old.tag(0)).isInstanceOf(IndexOutOfBoundsException.class);
        old.release(); // twice: nothing more to give

        List<Sighting> fresh = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fresh.add(sighting(5_000_000 + i));
        }
        SightingRows rows = SightingRows.of(fresh);
        assertThat(rows.size()).isEqualTo(50);
        List<Sighting> back = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            back.add(rows.get(i));
        }
        assertThat(back).isEqualTo(fresh);
        assertThatThrownBy(() -> rows.tag(50)).as("an old row past the new ones").isInstanceOf(IndexOutOfBoundsException.class);
    }
}
