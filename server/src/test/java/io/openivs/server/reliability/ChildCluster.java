package io.openivs.server.reliability;

import io.openivs.server.store.StoreKey;
import io.openivs.server.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Nodes in JVMs of their own ({@link ChildServer}, so a test can kill one with SIGKILL) on one fresh
 * PostgreSQL database with one store key, as the README's cluster runs; what {@code testing/TwoNodes} and
 * {@code ThreeNodes} are for nodes in the test's JVM. Node n keeps its data in {@code a}, {@code b}, {@code c}
 * under the test's directory; with a shared bucket folder, every node's recordings go to the same place (as
 * to one S3 bucket). Closing stops the nodes still running, then drops the database.
 */
final class ChildCluster implements AutoCloseable {
    /**
     * The staleness timeout of a cluster started with {@link #quick}: half the production 15 s, so a test
     * waiting for a dead node to be noticed waits half as long; the node heartbeat (a third of it) and the
     * sweep of stale sessions follow, as in production.
     */
    static final long QUICK_STALE_MS = 7_500;

    final String db;
    final String storeKey = StoreKey.random().toBase64();
    /** The bucket folder every node records into, or null. */
    final Path bucketFolders;

    private final Path dir;
    private final List<String> jvmOptions;
    private final List<ChildServer> running = new ArrayList<>();

    private ChildCluster(Path dir, Path bucketFolders, List<String> jvmOptions) {
        this.dir = dir;
        this.bucketFolders = bucketFolders;
        this.jvmOptions = jvmOptions;
        this.db = TestDatabases.postgres();
    }

    /** Options of {@link #start} and {@link #sharingRecordings} for nodes that go stale after {@link #QUICK_STALE_MS}. */
    static List<String> quick() {
        return List.of("-Dopenivs.test.stale-ms=" + QUICK_STALE_MS);
    }

    /** {@code n} nodes, each recording into its own data dir; {@code jvmOptions}: {@link #quick} or none. */
    static ChildCluster start(Path dir, int n, List<String> jvmOptions) throws Exception {
        return start(new ChildCluster(dir, null, jvmOptions), n);
    }

    /** {@code n} nodes recording into one folder ({@link #bucketFolders}). */
    static ChildCluster sharingRecordings(Path dir, int n, List<String> jvmOptions) throws Exception {
        return start(new ChildCluster(dir, Files.createDirectories(dir.resolve("bucket-folders")), jvmOptions), n);
    }

    /**
     * Every node side by side: each waits for its JVM and its store, and the fresh database takes them in any
     * order (the schema migrations and the store-key check each run under an advisory lock, so the first node
     * there creates the schema and seals the key and the others find them done, as when a cluster's nodes are
     * started together).
     */
    private static ChildCluster start(ChildCluster cluster, int n) throws Exception {
        try {
            List<CompletableFuture<ChildServer>> starting = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                int node = i;
                starting.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return cluster.startAgain(node);
                            } catch (Exception e) {
                                throw new IllegalStateException("node " + node, e);
                            }
                        },
                        task -> new Thread(task, "starting node " + node).start()));
            }
            for (CompletableFuture<ChildServer> started : starting) {
                try {
                    started.get();
                } catch (ExecutionException e) {
                    starting.forEach(o -> o.handle((s, x) -> s).join()); // all in running, for close
                    throw e;
                }
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Node {@code oneBased} as last started. */
    synchronized ChildServer node(int oneBased) {
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
        ChildServer s = ChildServer.start(data, List.of("--db-url", db, "--store-key", storeKey), jvmOptions);
        synchronized (this) {
            running.add(s);
        }
        return s;
    }

    /** SIGTERM to every node still running, keeping the database. */
    synchronized void stopAll() throws InterruptedException {
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
