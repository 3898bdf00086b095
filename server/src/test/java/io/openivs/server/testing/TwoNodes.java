package io.openivs.server.testing;

import java.nio.file.Path;

/** Two openivs nodes sharing one fresh PostgreSQL database (skips the test where PostgreSQL is absent). */
public final class TwoNodes implements AutoCloseable {
    public final TestServer a;
    public final TestServer b;
    private final String db;

    public TwoNodes(Path dir) throws InterruptedException {
        db = TestDatabases.postgres();
        TestServer first = null;
        try {
            first = new TestServer(dir.resolve("a"), db);
            b = new TestServer(dir.resolve("b"), db);
        } catch (RuntimeException | InterruptedException e) {
            if (first != null) {
                first.close();
            }
            TestDatabases.dropPostgres(db);
            throw e;
        }
        a = first;
    }

    @Override
    public void close() {
        a.close();
        b.close();
        TestDatabases.dropPostgres(db);
    }
}
