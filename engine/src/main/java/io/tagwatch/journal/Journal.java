package io.tagwatch.journal;

import io.tagwatch.read.ReadBatch;

/**
 * The durability boundary between decode and acknowledgement: a batch is acknowledged to its
 * reader (QoS 1 PUBACK) only when {@code onDurable} has run, which a durable journal does
 * after the fsync that covers the batch.
 *
 * <p>Implementations are thread-safe; {@code append} is called from Netty event loops and
 * must not block them.
 */
public interface Journal extends AutoCloseable {

    /**
     * Takes the batch (which the caller no longer mutates) and calls {@code onDurable}, on any
     * thread, once it is safe. Journaled batches reach the {@link JournalSink} in order.
     *
     * @return false when the journal is full and did not take the batch: do not acknowledge
     */
    boolean append(ReadBatch batch, Runnable onDurable);

    /** Whether acknowledged batches survive a power loss (fsync before acknowledgement). */
    boolean durable();

    /** True while appends are refused because the journal reached its cap. */
    boolean full();

    /** Position up to which records are written (and, unless fsync is off, forced to disk). */
    long durablePosition();

    /**
     * Everything before {@code position} is reflected in committed sightings: its segments may
     * go, and the bytes no longer count against the cap.
     */
    void checkpointed(long position);

    @Override
    void close();
}
