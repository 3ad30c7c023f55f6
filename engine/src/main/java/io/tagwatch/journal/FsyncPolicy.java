package io.tagwatch.journal;

/**
 * When the journal forces its writes to disk, and so what an acknowledgement is worth.
 */
public enum FsyncPolicy {
    /**
     * Default. One fsync covers every batch that arrived while the previous one ran; a batch is
     * acknowledged after the fsync that covers it. Survives a process crash and a power loss.
     */
    GROUP,
    /**
     * An fsync per batch before its acknowledgement: the same guarantee as GROUP at a far lower
     * rate, since each batch waits for its own flush. For comparison, and for operators who
     * want no batch to share a flush with another.
     */
    EVERY_BATCH,
    /**
     * No fsync: a batch is acknowledged once written to the operating system's page cache.
     * Survives a crash of the engine process (the kernel still writes the data), but a power
     * loss or kernel crash can lose acknowledged batches of the last seconds.
     */
    NONE
}
