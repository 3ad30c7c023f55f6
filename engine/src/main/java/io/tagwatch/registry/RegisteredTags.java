package io.tagwatch.registry;

/** Every registered tag with its vehicle kind ({@link #EBIKE} or {@link #MOTORCYCLE}), index-aligned. */
public record RegisteredTags(long[] tags, byte[] kinds) {
    public static final byte EBIKE = 1;
    public static final byte MOTORCYCLE = 2;

    public static RegisteredTags of(long... tags) {
        byte[] kinds = new byte[tags.length];
        java.util.Arrays.fill(kinds, EBIKE);
        return new RegisteredTags(tags, kinds);
    }
}
