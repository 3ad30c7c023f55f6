package io.tagwatch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LastSeenTableTest {
    private static final long T = 1_764_380_000_000L;

    @Test
    void eachTag_returnsWhereAndWhenItWasSeenBefore_amongManyColliding() {
        LastSeenTable table = new LastSeenTable(10_000);
        for (int i = 0; i < 10_000; i++) {
            assertThat(table.put(0x9F3A000000L + i * 1024L, i % 400, T + i)).isEqualTo(-1);
        }
        for (int i = 0; i < 10_000; i++) {
            assertThat(table.put(0x9F3A000000L + i * 1024L, 7, T + 60_000 + i)).isEqualTo(i % 400);
            assertThat(table.previousTime).isEqualTo(T + i);
        }
        assertThat(table.put(0x9F3A000000L, 9, T)).isEqualTo(7);
        assertThat(table.previousTime).isEqualTo(T + 60_000);
        assertThat(table.resets()).isZero();
    }

    @Test
    void past_itsCapacity_itStartsAfresh_forgettingRatherThanInventing() {
        LastSeenTable table = new LastSeenTable(4);
        for (int i = 0; i < 4; i++) {
            table.put(i, 1, T);
        }
        assertThat(table.put(100, 2, T)).as("the fifth tag resets the table").isEqualTo(-1);
        assertThat(table.resets()).isEqualTo(1);
        assertThat(table.put(0, 3, T)).as("forgotten").isEqualTo(-1);
        assertThat(table.put(100, 3, T + 5)).isEqualTo(2);
    }

    @Test
    void theHighestReaderIndexAndAZeroTime_surviveThePacking() {
        LastSeenTable table = new LastSeenTable(16);
        table.put(42, (1 << 19) - 2, 0);
        assertThat(table.put(42, 0, T)).isEqualTo((1 << 19) - 2);
        assertThat(table.previousTime).isZero();
    }
}
