package io.tagwatch.read;

import java.util.Objects;

/**
 * Text form of tag ids: an unsigned 64-bit number written as upper-case hex without leading
 * zeros ({@code 9F3A0001C2}; the id 0 is {@code 0}). Parsing accepts 1 to 16 hex digits of
 * either case, nothing else (no sign, no {@code 0x}, no blanks).
 *
 * <p>Stateless and thread-safe. The {@code char[]} methods used by the payload decoder
 * allocate nothing.
 */
public final class TagIds {
    /** Most hex digits a tag id may have (64 bits). */
    public static final int MAX_DIGITS = 16;

    /** What a tag id looks like, for error messages people read (a clerk, an import file's author). */
    public static final String WHAT_A_TAG_ID_IS = "a tag id is 1 to 16 hex digits (0-9, A-F), such as 9F3A0001C2";

    private static final char[] DIGITS = "0123456789ABCDEF".toCharArray();

    private TagIds() {
    }

    /** Upper-case hex, no leading zeros, {@code tag} read as unsigned 64-bit. */
    public static String format(long tag) {
        int digits = Math.max(1, (Long.SIZE + 3 - Long.numberOfLeadingZeros(tag)) / 4);
        char[] out = new char[digits];
        long v = tag;
        for (int i = digits - 1; i >= 0; i--) {
            out[i] = DIGITS[(int) (v & 0xF)];
            v >>>= 4;
        }
        return new String(out);
    }

    /**
     * Parses 1 to 16 hex digits (either case) as an unsigned 64-bit id.
     *
     * @throws IllegalArgumentException when {@code text} is empty, has a non-hex character or
     *     more than 16 digits; the message names the problem
     */
    public static long parse(CharSequence text) {
        Objects.requireNonNull(text, "text");
        int len = text.length();
        if (len == 0) {
            throw new IllegalArgumentException("tag is empty");
        }
        if (len > MAX_DIGITS) {
            throw new IllegalArgumentException("tag=\"" + clip(text) + "\" has " + len
                    + " characters, at most " + MAX_DIGITS + " hex digits allowed");
        }
        long value = 0L;
        for (int i = 0; i < len; i++) {
            char c = text.charAt(i);
            int d = digit(c);
            if (d < 0) {
                throw new IllegalArgumentException("tag=\"" + clip(text) + "\" is not hex: character "
                        + describe(c) + " at index " + i);
            }
            value = (value << 4) | d;
        }
        return value;
    }

    /** True when {@code buf[off, off+len)} is 1 to 16 hex digits of either case. */
    static boolean isValidHex(char[] buf, int off, int len) {
        if (len < 1 || len > MAX_DIGITS) {
            return false;
        }
        for (int i = off, end = off + len; i < end; i++) {
            if (digit(buf[i]) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The unsigned value of {@code buf[off, off+len)}; only meaningful when
     * {@link #isValidHex} holds for the same range (every long is a valid id, so there is no
     * error sentinel).
     */
    static long parseHex(char[] buf, int off, int len) {
        long value = 0L;
        for (int i = off, end = off + len; i < end; i++) {
            value = (value << 4) | digit(buf[i]);
        }
        return value;
    }

    /** Value of one hex digit of either case, or -1. */
    static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        int lower = c | 0x20; // folds 'A'..'F' onto 'a'..'f'; nothing else lands there
        if (lower >= 'a' && lower <= 'f') {
            return lower - 'a' + 10;
        }
        return -1;
    }

    /** A short, printable rendering of untrusted text for messages (error path only). */
    static String clip(CharSequence text) {
        int max = 40;
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max) + 8);
        for (int i = 0; i < text.length() && i < max; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7F) {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (text.length() > max) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static String describe(char c) {
        return (c < 0x20 || c == 0x7F) ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }
}
