package io.tagwatch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal directory keeps the snapshots a restart may need, and no half-written leftovers. */
class CheckpointFilesTest {
    @Test
    void committedCheckpoint_removesOlderSnapshotsAndHalfWrittenOnes_keepsLaterOnes(@TempDir Path dir) throws Exception {
        CheckpointFiles files = new CheckpointFiles(dir);
        Files.writeString(files.file(100), "old");
        Files.writeString(files.file(200), "committed");
        Files.writeString(files.file(300), "newer");
        Files.writeString(dir.resolve("dedup-150.tmp"), "a full disk's leftover");
        Files.writeString(dir.resolve("dedup-250.tmp"), "being written");
        Files.writeString(dir.resolve("00000000000000000000.seg"), "journal segment");

        files.deleteBefore(200);

        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("00000000000000000000.seg", "dedup-250.tmp", files.file(200).getFileName().toString(),
                            files.file(300).getFileName().toString());
        }
    }
}
