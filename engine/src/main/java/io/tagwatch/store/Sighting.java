package io.tagwatch.store;

/**
 * One closed sighting: a tag's pass at a reader. Times are epoch ms on the reader's clock;
 * {@code bestRssi} is {@code Integer.MIN_VALUE} when the reader sent none.
 */
public record Sighting(long tag, String readerId, long firstSeen, long lastSeen, int readCount, int bestRssi) {
}
