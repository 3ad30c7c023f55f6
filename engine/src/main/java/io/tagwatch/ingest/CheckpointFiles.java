package io.tagwatch.ingest;

import io.tagwatch.dedup.DedupWindow;
import io.tagwatch.dedup.SightingSink;
import io.tagwatch.dedup.WindowSnapshot;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dedup snapshots that go with checkpoints: {@code dedup-<position>.snap} in the journal
 * directory holds the windows open once every batch before {@code position} was matched.
 * Written (by the checkpoint thread, from a copy the match thread took) to a temporary file,
 * forced, then renamed, so a snapshot is whole or absent.
 */
final class CheckpointFiles {
    private static final Logger log = LoggerFactory.getLogger(CheckpointFiles.class);
    private static final String PREFIX = "dedup-";
    private static final String SUFFIX = ".snap";
    private static final String TMP_SUFFIX = ".tmp";

    private final Path dir;

    CheckpointFiles(Path dir) {
        this.dir = dir;
    }

    Path file(long position) {
        return dir.resolve(String.format("%s%020d%s", PREFIX, position, SUFFIX));
    }

    void write(long position, WindowSnapshot snapshot, IntFunction<String> readerIdOf) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(PREFIX + position + TMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                snapshot.writeTo(ch, readerIdOf);
                ch.force(true);
            }
            Files.move(tmp, file(position), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp); // a full disk left a half-written snapshot behind for good
            } catch (IOException ignored) {
                // deleteBefore tries again at the next committed checkpoint
            }
            throw e;
        }
    }

    /** Restores the snapshot of {@code position} into the window; false when there is none. */
    boolean restore(long position, DedupWindow window, ToIntFunction<String> indexOf, SightingSink orphans)
            throws IOException {
        Path f = file(position);
        if (!Files.exists(f)) {
            return false;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
            int n = window.readSnapshot(in, indexOf, orphans);
            log.info("restored {} open sighting windows from {}", n, f.getFileName());
        }
        return true;
    }

    /**
     * Deletes snapshots older than the committed checkpoint, and the half-written ones of earlier
     * positions (a crash or a full disk while writing; one being written is of a later position).
     */
    void deleteBefore(long position) {
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> {
                String n = p.getFileName().toString();
                String suffix = n.endsWith(SUFFIX) ? SUFFIX : n.endsWith(TMP_SUFFIX) ? TMP_SUFFIX : null;
                if (!n.startsWith(PREFIX) || suffix == null) {
                    return false;
                }
                try {
                    return Long.parseLong(n.substring(PREFIX.length(), n.length() - suffix.length())) < position;
                } catch (NumberFormatException e) {
                    return false;
                }
            }).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.warn("cannot delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("cannot list {}: {}", dir, e.toString());
        }
    }
}
