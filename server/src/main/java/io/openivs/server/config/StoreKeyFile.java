package io.openivs.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * {@code <data-dir>/keys}: the store key that seals stream keys and the other secrets in the database, made at a
 * node's first start (0600) unless {@code --store-key} gives one. Nodes sharing a PostgreSQL database must all
 * have the same key: copy this file to each, or give each the same {@code --store-key}.
 */
public final class StoreKeyFile {
    public static final String FILE = "keys";
    private static final String ENTRY = "store-key=";

    private StoreKeyFile() {}

    /** The key's base64 from the file, written first with a new random key if the file is absent. */
    public static String loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Path tmp = dataDir.resolve(FILE + ".new");
            Files.deleteIfExists(tmp);
            DataDir.createPrivateFile(tmp);
            Files.writeString(
                    tmp,
                    "# openivs store key: seals stream keys and other secrets in the database. Every node on the same"
                            + " database needs this same key;\n# without it those secrets cannot be read. Back it up"
                            + " apart from the database.\n"
                            + ENTRY + Base64.getEncoder().encodeToString(key) + "\n",
                    StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                if (!Files.exists(file)) {
                    throw e;
                }
            }
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith(ENTRY)) {
                return line.substring(ENTRY.length()).strip();
            }
        }
        throw new IOException(file + " holds no " + ENTRY + " line");
    }
}
