package io.openivs.server.reliability;

import io.openivs.server.store.StoreKey;
import io.openivs.server.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Nodes in JVMs of their own ({@link ChildServer}, so a test can kill one with SIGKILL) on one fresh
 * PostgreSQL database with one store key, as the README's cluster runs; what {@code testing/TwoNodes} and
 * {@code ThreeNodes} are for nodes in the test's JVM. Node n keeps its data in {@code a}, {@code b}, {@code c}
 * under the test's directory; with a shared bucket folder, every node's recordings go to the same place (as
 * to one S3 bucket). Closing stops the nodes still running, then drops the database.
 */
final class ChildCluster implements AutoCloseable {
    final String db;
    final String storeKey = StoreKey.random().toBase64();
    /** The bucket folder every node records into, or null. */
    final Path bucketFolders;

    private final Path dir;
    private final List<ChildServer> running = new ArrayList<>();

    private ChildCluster(Path dir, Path bucketFolders) {
        this.dir = dir;
        this.bucketFolders = bucketFolders;
        this.db = TestDatabases.postgres();
    }

    /** {@code n} nodes, each recording into its own data dir. */
    static ChildCluster start(Path dir, int n) throws Exception {
        return start(new ChildCluster(dir, null), n);
    }

    /** {@code n} nodes recording into one folder ({@link #bucketFolders}). */
    static ChildCluster sharingRecordings(Path dir, int n) throws Exception {
        return start(new ChildCluster(dir, Files.createDirectories(dir.resolve("bucket-folders"))), n);
    }

    private static ChildCluster start(ChildCluster cluster, int n) throws Exception {
        try {
            for (int i = 1; i <= n; i++) {
                cluster.startAgain(i);
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Node {@code oneBased} as last started. */
    ChildServer node(int oneBased) {
        ChildServer last = null;
        for (ChildServer s : running) {
            if (s.dataDir.equals(dataDir(oneBased))) {
                last = s;
            }
        }
        return last;
    }

    Path dataDir(int oneBased) {
        return dir.resolve(String.valueOf((char) ('a' + oneBased - 1)));
    }

    /** Starts node {@code oneBased} (again, on the same data dir: a restart after a kill). */
    ChildServer startAgain(int oneBased) throws Exception {
        Path data = dataDir(oneBased);
        if (!Files.exists(data)) {
            Files.createDirectories(data);
            if (bucketFolders != null) {
                Files.createSymbolicLink(data.resolve("recordings"), bucketFolders);
            }
        }
        ChildServer s = ChildServer.start(data, List.of("--db-url", db, "--store-key", storeKey));
        running.add(s);
        return s;
    }

    /** SIGTERM to every node still running, keeping the database. */
    void stopAll() throws InterruptedException {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        running.clear();
    }

    @Override
    public void close() {
        try {
            stopAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            TestDatabases.dropPostgres(db);
        }
    }
}
