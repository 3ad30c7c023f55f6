package io.tagwatch.journal;

import io.tagwatch.read.ReadBatch;

/** Journal implementations. The entry point of this package. */
public final class Journals {
    private Journals() {
    }

    /**
     * No journal: a batch counts as safe as soon as the ingest pipeline holds it in memory,
     * so a crash loses what was acknowledged but not yet written as sightings. This is the
     * spine's stand-in until the segment-file journal (fsync, group commit, replay) lands;
     * {@link Journal#durable()} says false so the engine can warn about it at start.
     */
    public static Journal none() {
        return new Journal() {
            @Override
            public boolean append(ReadBatch batch, Runnable onDurable) {
                onDurable.run();
                return true;
            }

            @Override
            public boolean durable() {
                return false;
            }

            @Override
            public void close() {
            }
        };
    }
}
