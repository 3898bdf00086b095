package io.openivs.server.live;

import io.openivs.server.config.DataDir;
import io.openivs.server.resource.Ids;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * This node's id, kept in {@code <data-dir>/node-id} so that it survives restarts: the session rows
 * a crashed run left open carry it, and the next run of the same node recognises them as its own.
 */
public final class NodeId {
    static final String FILE = "node-id";

    private NodeId() {}

    /** Reads the id, or makes and stores one on the first start (written whole, then renamed into place). */
    public static String of(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (id.matches("[A-Za-z0-9]{8,64}")) {
                return id;
            }
        }
        String id = Ids.alnum(12);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        DataDir.createPrivateFile(tmp);
        Files.writeString(tmp, id, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return id;
    }
}
