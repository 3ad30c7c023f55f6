package io.tagwatch.journal;

/**
 * The journal's settings.
 *
 * @param segmentBytes   a segment file is closed and a new one started past this size
 * @param capBytes       appends are refused while this many bytes are journaled after the checkpoint
 * @param retainSegments how many wholly checkpointed segments to keep (for inspection) before deleting
 * @param fsync          when writes are forced to disk
 */
public record JournalOptions(long segmentBytes, long capBytes, int retainSegments, FsyncPolicy fsync) {
    public JournalOptions {
        if (segmentBytes < 4096 || capBytes < segmentBytes || retainSegments < 0 || fsync == null) {
            throw new IllegalArgumentException("segmentBytes=" + segmentBytes + " capBytes=" + capBytes
                    + " retainSegments=" + retainSegments + " fsync=" + fsync);
        }
    }
}
