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
     * thread, once it is safe.
     *
     * @return false when the journal is full and did not take the batch: do not acknowledge
     */
    boolean append(ReadBatch batch, Runnable onDurable);

    /** Whether acknowledged batches survive a crash of the process. */
    boolean durable();

    @Override
    void close();
}
