package io.openivs.server.reliability;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.openivs.server.ingest.rtmp.PublishRefusedException;
import io.openivs.server.ingest.rtmp.RtmpServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An RTMP listener on loopback with default limits whose authorizer refuses every key, as for a wrong key. */
final class RefusingRtmpServer implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final RtmpServer server;
    final int port;

    RefusingRtmpServer() throws InterruptedException {
        server = new RtmpServer(RtmpServer.Config.of(
                "127.0.0.1",
                0,
                null,
                (app, key, secure, remote) ->
                        CompletableFuture.failedFuture(new PublishRefusedException("No channel has this stream key.")),
                group,
                group));
        port = server.start();
    }

    int openConnections() {
        return server.openConnections();
    }

    @Override
    public void close() throws InterruptedException {
        server.stop();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
