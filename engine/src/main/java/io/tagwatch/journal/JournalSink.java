package io.tagwatch.journal;

import io.tagwatch.read.ReadBatch;

/**
 * Receives every journaled batch, in journal order, with its position: live batches from the
 * thread that writes them (the journal's writer thread, or the thread driving it — the match
 * thread — through {@link FileJournal#writePending}), before their fsync, so alerts never wait for
 * the disk; and, at start, the batches replayed after the last checkpoint.
 */
@FunctionalInterface
public interface JournalSink {
    /**
     * @param start position of the batch's record
     * @param end   position just after it: a checkpoint at {@code end} covers this batch
     */
    void journaled(ReadBatch batch, long start, long end);
}
