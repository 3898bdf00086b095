package io.openivs.server.config;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data folder holds stream keys (in the database), API secrets and the RTMPS private key, so
 * only the server's own user may read it: created 0700, and the files we create in it 0600. The
 * modes are set explicitly after creation, so the umask cannot widen (or narrow) them. On file
 * systems without POSIX permissions nothing is changed.
 */
public final class DataDir {
    private static final Logger log = LoggerFactory.getLogger(DataDir.class);
    static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private DataDir() {}

    /**
     * Creates {@code dir} (and missing parents, with default modes) if absent and makes it 0700. An
     * existing folder keeps its mode (it may be shared on purpose), with a warning if others can read it.
     */
    public static void prepare(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
                if (mode.contains(PosixFilePermission.GROUP_READ)
                        || mode.contains(PosixFilePermission.OTHERS_READ)
                        || mode.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    log.warn(
                            "data folder {} is {}: other users may read stream keys; chmod 700 it",
                            dir,
                            PosixFilePermissions.toString(mode));
                }
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            return; // made concurrently by someone else: theirs to set
        }
        restrict(dir, DIR);
    }

    /** Creates an empty 0600 file at {@code file} if absent, for a file another library would create with 0644. */
    public static void createPrivateFile(Path file) throws IOException {
        try {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            return;
        }
        restrict(file, FILE);
    }

    /** The SQLite database file of a {@code jdbc:sqlite:} URL, created 0600 if absent; other URLs untouched. */
    public static void createSqliteFile(String jdbcUrl) throws IOException {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:sqlite:")) {
            return;
        }
        String file = jdbcUrl.substring("jdbc:sqlite:".length());
        int query = file.indexOf('?');
        if (query >= 0) {
            file = file.substring(0, query);
        }
        if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
            return; // in-memory databases and URI forms are left to SQLite
        }
        Path path = Path.of(file);
        if (path.getParent() != null && Files.isDirectory(path.getParent())) {
            createPrivateFile(path);
        }
    }

    private static void restrict(Path path, Set<PosixFilePermission> mode) throws IOException {
        try {
            Files.setPosixFilePermissions(path, mode);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the platform's defaults stand
        }
    }
}
