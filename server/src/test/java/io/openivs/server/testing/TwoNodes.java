package io.openivs.server.testing;

import io.openivs.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Two openivs nodes on one fresh PostgreSQL database, dropped again on close. */
public final class TwoNodes implements AutoCloseable {
    public final TestServer a;
    public final TestServer b;
    private final String url;

    public TwoNodes(Path dir) throws InterruptedException {
        this(dir, c -> c);
    }

    /** Both nodes with the defaults as {@code adjust} changes them. */
    public TwoNodes(Path dir, UnaryOperator<ServerConfig> adjust) throws InterruptedException {
        url = TestDatabases.postgres();
        TestServer first = null;
        try {
            first = new TestServer(dir.resolve("a"), url, adjust);
            // Nodes on one database share its store key, as the README tells operators: copy the first one's.
            shareStoreKey(dir.resolve("a"), dir.resolve("b"));
            b = new TestServer(dir.resolve("b"), url, adjust);
        } catch (RuntimeException | InterruptedException e) {
            if (first != null) {
                first.close();
            }
            TestDatabases.dropPostgres(url);
            throw e;
        }
        a = first;
    }

    static void shareStoreKey(Path from, Path to) {
        try {
            java.nio.file.Files.createDirectories(to);
            java.nio.file.Files.copy(from.resolve("keys"), to.resolve("keys"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            a.close();
        } finally {
            try {
                b.close();
            } finally {
                TestDatabases.dropPostgres(url);
            }
        }
    }
}
