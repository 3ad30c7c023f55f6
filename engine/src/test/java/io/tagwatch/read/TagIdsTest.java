package io.tagwatch.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TagIdsTest {

    @Test
    void format_zero_isSingleDigit() {
        assertThat(TagIds.format(0L)).isEqualTo("0");
    }

    @Test
    void format_examples_upperCaseWithoutLeadingZeros() {
        assertThat(TagIds.format(1L)).isEqualTo("1");
        assertThat(TagIds.format(0xFL)).isEqualTo("F");
        assertThat(TagIds.format(0x10L)).isEqualTo("10");
        assertThat(TagIds.format(0x9F3A0001C2L)).isEqualTo("9F3A0001C2");
        assertThat(TagIds.format(0x00000000E2801160L)).isEqualTo("E2801160");
    }

    @Test
    void format_topBitSet_isUnsigned() {
        assertThat(TagIds.format(0xFFFFFFFFFFFFFFFFL)).isEqualTo("FFFFFFFFFFFFFFFF");
        assertThat(TagIds.format(Long.MIN_VALUE)).isEqualTo("8000000000000000");
        assertThat(TagIds.format(0xFFFFFFFFFFFFFFF0L)).isEqualTo("FFFFFFFFFFFFFFF0");
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, 0xAL, 0x9F3A0001C2L, 0x7FFFFFFFFFFFFFFFL, Long.MIN_VALUE, -1L, 0x0123456789ABCDEFL})
    void parse_formatted_roundTrips(long tag) {
        assertThat(TagIds.parse(TagIds.format(tag))).isEqualTo(tag);
        char[] chars = ("xx" + TagIds.format(tag) + "yy").toCharArray();
        int len = chars.length - 4;
        assertThat(TagIds.isValidHex(chars, 2, len)).isTrue();
        assertThat(TagIds.parseHex(chars, 2, len)).isEqualTo(tag);
    }

    @Test
    void parse_leadingZeros_strippedOnFormat() {
        long tag = TagIds.parse("00000000000000A1");
        assertThat(tag).isEqualTo(0xA1L);
        assertThat(TagIds.format(tag)).isEqualTo("A1");
        assertThat(TagIds.parse("0000000000000000")).isZero();
    }

    @Test
    void parse_lowerAndMixedCase_accepted() {
        assertThat(TagIds.parse("9f3a0001c2")).isEqualTo(0x9F3A0001C2L);
        assertThat(TagIds.parse("aBcDeF")).isEqualTo(0xABCDEFL);
        assertThat(TagIds.parse("ffffffffffffffff")).isEqualTo(-1L);
    }

    @Test
    void parse_empty_throwsNamingIt() {
        assertThatThrownBy(() -> TagIds.parse(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tag is empty");
    }

    @Test
    void parse_nonHex_throwsNamingCharacterAndIndex() {
        assertThatThrownBy(() -> TagIds.parse("12G4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tag=\"12G4\" is not hex: character 'G' at index 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x1F", "-1", "+1", " 1", "1 ", "１"})
    void parse_signPrefixBlankOrNonAscii_throws(String text) {
        assertThatThrownBy(() -> TagIds.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not hex");
    }

    @Test
    void parse_seventeenDigits_throwsEvenWithLeadingZero() {
        assertThatThrownBy(() -> TagIds.parse("1FFFFFFFFFFFFFFFF"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tag=\"1FFFFFFFFFFFFFFFF\" has 17 characters, at most 16 hex digits allowed");
        assertThatThrownBy(() -> TagIds.parse("00000000000000000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 16 hex digits");
    }

    @Test
    void parse_controlCharacter_escapedInMessage() {
        assertThatThrownBy(() -> TagIds.parse("A\nB"))
                .hasMessage("tag=\"A\\u000AB\" is not hex: character U+000A at index 1");
    }

    @Test
    void isValidHex_rangeChecks_onlyTheGivenSlice() {
        char[] chars = "ZZ12ZZ".toCharArray();
        assertThat(TagIds.isValidHex(chars, 2, 2)).isTrue();
        assertThat(TagIds.isValidHex(chars, 1, 2)).isFalse();
        assertThat(TagIds.isValidHex(chars, 2, 0)).isFalse();
        assertThat(TagIds.isValidHex("11112222333344445".toCharArray(), 0, 17)).isFalse();
        assertThat(TagIds.isValidHex("`gG@/:".toCharArray(), 0, 1)).isFalse();
        for (char c : "`gG@/:".toCharArray()) {
            assertThat(TagIds.digit(c)).as("digit(%s)", c).isEqualTo(-1);
        }
    }
}
