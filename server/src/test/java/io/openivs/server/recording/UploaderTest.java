package io.openivs.server.recording;

import static io.openivs.server.testing.Publishing.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The uploader keeps what it could not store yet: on disk while the store is away, and across a restart. */
class UploaderTest {
    @TempDir
    Path dir;

    @Test
    void objectsQueuedWhileTheStoreIsAwayAreStoredByTheNextStart() throws Exception {
        Path blocked = Files.writeString(dir.resolve("not-a-folder"), "x"); // every put under it fails
        Path spool = dir.resolve("spool");
        Uploader first = new Uploader(new FolderDestination(blocked), spool, 1);
        for (int i = 0; i < 3; i++) {
            first.submit(
                    "bucket",
                    "rec/" + i + ".ts",
                    "video/mp2t",
                    ("segment " + i).getBytes(StandardCharsets.UTF_8),
                    Uploader.Outcome.NONE);
        }
        await(Duration.ofSeconds(5), () -> first.failing() ? true : null);
        first.close(0);
        assertThat(spool).isDirectoryContaining("glob:**.spool");

        Path root = dir.resolve("store");
        Uploader second = new Uploader(new FolderDestination(root), spool, 1 << 20);
        CompletableFuture<Void> last = new CompletableFuture<>();
        second.submit(
                "bucket",
                "rec/done.json",
                "application/json",
                "{}".getBytes(StandardCharsets.UTF_8),
                new Uploader.Outcome() {
                    @Override
                    public void stored() {
                        last.complete(null);
                    }
                });
        last.get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            assertThat(root.resolve("bucket/rec/" + i + ".ts")).hasContent("segment " + i);
        }
        assertThat(spool).isEmptyDirectory();
        second.close();
    }

    @Test
    void anObjectThatCannotBeSpooledIsReportedLost() throws Exception {
        Path blocked = Files.writeString(dir.resolve("not-a-folder"), "x");
        Path spool = dir.resolve("spool");
        Uploader uploader = new Uploader(new FolderDestination(blocked), spool, 0);
        Files.delete(spool);
        Files.writeString(spool, "in the way");
        CompletableFuture<Exception> lost = new CompletableFuture<>();
        uploader.submit("bucket", "rec/0.ts", "video/mp2t", new byte[10], new Uploader.Outcome() {
            @Override
            public void lost(Exception cause) {
                lost.complete(cause);
            }
        });
        assertThat(lost.get(5, TimeUnit.SECONDS)).isNotNull();
        uploader.close(0);
    }
}
