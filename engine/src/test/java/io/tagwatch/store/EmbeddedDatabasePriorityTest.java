package io.tagwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Reading {@code /proc/<pid>/autogroup} lines (the running server: {@code EmbeddedDatabaseTest}). */
class EmbeddedDatabasePriorityTest {
    @Test
    void autogroupLine_givesItsGroupAndNice() {
        assertThat(EmbeddedDatabasePriority.niceOf("/autogroup-23768 nice 0\n")).isZero();
        assertThat(EmbeddedDatabasePriority.niceOf("/autogroup-23955 nice 10\n")).isEqualTo(10);
        assertThat(EmbeddedDatabasePriority.niceOf("/autogroup-7 nice -5")).isEqualTo(-5);
        assertThat(EmbeddedDatabasePriority.groupOf("/autogroup-23768 nice 0\n")).isEqualTo("/autogroup-23768");
        assertThat(EmbeddedDatabasePriority.groupOf("/autogroup-23768 nice 0\n"))
                .as("two processes' groups compare equal only when they are the same group")
                .isNotEqualTo(EmbeddedDatabasePriority.groupOf("/autogroup-2376 nice 0\n"));
    }

    @Test
    void databaseSessions_areLowered_butNeverTheEnginesOwn_norTheRootGroup() {
        String ours = "/autogroup-100";
        assertThat(EmbeddedDatabasePriority.toLower("/autogroup-101 nice 0\n", ours)).as("a database session").isTrue();
        assertThat(EmbeddedDatabasePriority.toLower("/autogroup-101 nice 10\n", ours)).as("already lowered").isFalse();
        assertThat(EmbeddedDatabasePriority.toLower("/autogroup-100 nice 0\n", ours)).as("the engine's own session").isFalse();
        assertThat(EmbeddedDatabasePriority.toLower("", ours)).as("a process in the root autogroup").isFalse();
        assertThat(EmbeddedDatabasePriority.toLower("/autogroup-101 nice 0\n", ""))
                .as("the engine in the root autogroup (its own line reads empty): the database's sessions still lowered")
                .isTrue();
    }

    @Test
    void notAnAutogroupLine_isRefused() {
        assertThatThrownBy(() -> EmbeddedDatabasePriority.niceOf("no such file"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such file");
    }
}
