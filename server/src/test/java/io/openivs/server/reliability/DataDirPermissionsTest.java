package io.openivs.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.openivs.server.config.Credentials;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 6: a fresh data folder is created 0700 and the database, API credentials and RTMPS key in it
 * 0600, so no other local user can read stream keys or secrets (on main the folder was 0755 and openivs.db 0644
 * under the usual umask 022).
 */
@Tag("reliability")
class DataDirPermissionsTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aFreshDataFolderAndItsSecretsAreTheOwnersAlone() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path data = tmp.resolve("fresh").resolve("data");
        Credentials.load(data, null, null, "111111111111"); // generates and writes an API key, as Main does
        try (TestServer node = new TestServer(data, TestDatabases.sqlite(data))) {
            node.client(TestServer.ALICE).createChannel(b -> b.name("keyed")); // a stream key in the database
            assertThat(mode(data)).as("data folder").isEqualTo("rwx------");
            assertThat(mode(data.resolve("openivs.db"))).as("database").isEqualTo("rw-------");
            assertThat(mode(data.resolve("credentials"))).as("API credentials").isEqualTo("rw-------");
            try (Stream<Path> files = Files.list(data)) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("openivs.db-") // -wal, -shm
                                || f.getFileName().toString().endsWith(".pem"))
                        .toList()) {
                    assertThat(mode(f)).as(f.getFileName().toString()).isEqualTo("rw-------");
                }
            }
        }
    }
}
