package io.openivs.server.testing;

import io.openivs.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Three openivs nodes on one fresh PostgreSQL database, as an operator runs them: the same ports on
 * every node (here on three loopback addresses, 127.0.0.1 to .3) and one public host, so that a
 * channel's URLs are the same whichever node answers. The database is dropped on close.
 */
public final class ThreeNodes implements AutoCloseable {
    public final List<TestServer> nodes = new ArrayList<>();
    private final String url;

    public ThreeNodes(Path dir) throws InterruptedException {
        this(dir, i -> null, i -> ServerConfig.Tls.NONE);
    }

    /**
     * @param publicHost by node (1 to 3): null keeps the one every node shares
     * @param tls        by node (1 to 3): the operator's certificate, for HTTPS playback and API
     */
    public ThreeNodes(Path dir, IntFunction<String> publicHost, IntFunction<ServerConfig.Tls> tls)
            throws InterruptedException {
        url = TestDatabases.postgres();
        // Nodes on one database share its store key (README, "How to run a cluster").
        String storeKey = io.openivs.server.store.StoreKey.random().toBase64();
        try {
            RuntimeException last = null;
            // Ports free on 127.0.0.1 are nearly always free on .2 and .3; another process may take one meanwhile.
            for (int attempt = 0; attempt < 4 && nodes.size() < 3; attempt++) {
                int[] ports = freePorts(5);
                try {
                    for (int i = 0; i < 3; i++) {
                        String bind = "127.0.0." + (i + 1);
                        String host = publicHost.apply(i + 1);
                        ServerConfig.Tls certificate = tls.apply(i + 1);
                        nodes.add(new TestServer(
                                dir.resolve("n" + (i + 1) + "-" + attempt),
                                url,
                                c -> new ServerConfig(
                                                bind,
                                                host == null ? c.publicHost() : host,
                                                ports[0],
                                                ports[1],
                                                ports[2],
                                                ports[3],
                                                ports[4],
                                                c.dataDir(),
                                                c.dbUrl(),
                                                c.region(),
                                                c.quotas(),
                                                c.recording(),
                                                c.playbackAccess(),
                                                c.tls(),
                                                c.metrics(),
                                                c.transcoding(),
                                                c.cluster(),
                                                storeKey)
                                        .withTls(certificate)));
                    }
                } catch (RuntimeException e) {
                    last = e;
                    nodes.forEach(TestServer::close);
                    nodes.clear();
                }
            }
            if (nodes.size() < 3) {
                throw last;
            }
        } catch (RuntimeException | InterruptedException e) {
            TestDatabases.dropPostgres(url);
            throw e;
        }
    }

    public TestServer node(int oneBased) {
        return nodes.get(oneBased - 1);
    }

    /** {@code url} (a playback URL with the public host) as asked of node {@code oneBased}. */
    public String via(int oneBased, String url) {
        return url.replaceFirst(
                "://[^/:]+", "://" + node(oneBased).server().config().bind());
    }

    private static int[] freePorts(int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                out[i] = s.getLocalPort();
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // freed anyway
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            nodes.forEach(TestServer::close);
        } finally {
            TestDatabases.dropPostgres(url);
        }
    }
}
