package io.tagwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdCardsTest {
    // A made-up number with a valid check character (11010519491231002X is the standard's own example).
    private static final String NUMBER = "11010519491231002X";

    @Test
    void hash_isKeyedStableAndHidesTheNumber() {
        IdCards a = new IdCards("key-one-0123456789");
        IdCards b = new IdCards("key-two-0123456789");
        assertThat(a.hash(NUMBER)).isEqualTo(a.hash(" 11010519491231002x ")).hasSize(64).doesNotContain("110105");
        assertThat(a.hash(NUMBER)).isNotEqualTo(b.hash(NUMBER));
    }

    @Test
    void mask_showsFirstThreeAndLastFour() {
        assertThat(IdCards.mask(NUMBER)).isEqualTo("110***********002X");
        assertThat(IdCards.mask("110105491231002")).isEqualTo("110********1002");
    }

    @Test
    void normalize_refusesWrongLengthLettersAndABadCheckCharacter() {
        assertThatThrownBy(() -> IdCards.normalize("1234")).hasMessageContaining("18 characters");
        assertThatThrownBy(() -> IdCards.normalize("11010519491231002A")).hasMessageContaining("18 characters");
        assertThatThrownBy(() -> IdCards.normalize("110105194912310021")).hasMessageContaining("check character");
        assertThatThrownBy(() -> new IdCards(null).hash(NUMBER)).hasMessageContaining("--id-card-key");
    }
}
