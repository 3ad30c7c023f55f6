package io.tagwatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * This node's identity: a UUID kept in {@code <journal dir>/node-id}, created at first start.
 * Its journal checkpoint in the database is stored under it, so nodes sharing a database
 * never mix their positions.
 */
record NodeId(String id, boolean created) {

    /** The node id kept in {@code journalDir}, made now ({@code created}) when there is none. */
    static NodeId of(Path journalDir) {
        Path file = journalDir.resolve("node-id");
        try {
            Files.createDirectories(journalDir);
            if (Files.exists(file)) {
                return new NodeId(Files.readString(file, StandardCharsets.US_ASCII).trim(), false);
            }
            String id = UUID.randomUUID().toString();
            Path tmp = journalDir.resolve("node-id.tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new NodeId(id, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }
}
