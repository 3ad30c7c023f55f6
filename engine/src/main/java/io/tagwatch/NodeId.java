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
final class NodeId {
    private NodeId() {
    }

    static String of(Path journalDir) {
        Path file = journalDir.resolve("node-id");
        try {
            Files.createDirectories(journalDir);
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.US_ASCII).trim();
            }
            String id = UUID.randomUUID().toString();
            Path tmp = journalDir.resolve("node-id.tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }
}
