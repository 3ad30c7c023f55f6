package io.tagwatch.dedup;

/** Receives each sighting the window closes. Primitive arguments: closing allocates nothing. */
@FunctionalInterface
public interface SightingSink {
    void closed(long tag, int readerIndex, long firstSeen, long lastSeen, int readCount, int bestRssi);
}
