package io.openivs.server.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.openivs.server.testing.TestCa;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose --tls-cert moves to a new private CA trusts peers that serve the new CA's certificate on the
 * next check, without a restart; a chain file that does not load keeps the authorities it had.
 */
class PeerTlsTest {
    @Test
    void aRotatedPrivateCaIsTrustedAfterTheNextCheck(@TempDir Path dir) throws Exception {
        TestCa oldCa = TestCa.create(dir.resolve("old"));
        TestCa newCa = TestCa.create(dir.resolve("new"));
        TestCa.Issued oldNode = oldCa.issue("node", 1, TestCa.KeyFormat.EC_PKCS8);
        TestCa.Issued newNode = newCa.issue("node", 2, TestCa.KeyFormat.EC_PKCS8);
        Path chain = Files.copy(oldNode.chain(), dir.resolve("chain.pem"));
        PeerTls peers = PeerTls.load(chain);
        assertThat(peers.reloadIfChanged()).as("nothing changed").isFalse();

        try (EventLoops loops = new EventLoops(1)) {
            // The owner already serves the new CA's certificate.
            int port = serve(loops, ReloadingSslContext.load(newNode.chain(), newNode.key()));
            assertThat(handshake(loops, peers, port))
                    .as("the new CA, not yet in this node's chain")
                    .isFalse();

            replace(chain, newNode.chain());
            assertThat(peers.reloadIfChanged()).isTrue();
            assertThat(handshake(loops, peers, port))
                    .as("the new CA, after the check")
                    .isTrue();

            replace(chain, Files.writeString(dir.resolve("torn.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n"));
            assertThat(peers.reloadIfChanged()).as("a torn file").isFalse();
            assertThat(handshake(loops, peers, port)).as("the authorities kept").isTrue();
        }
    }

    private static void replace(Path target, Path with) throws Exception {
        Files.copy(with, target, StandardCopyOption.REPLACE_EXISTING);
        // A time the previous check cannot have seen, however coarse the file system's clock.
        Files.setLastModifiedTime(
                target, FileTime.fromMillis(Files.getLastModifiedTime(target).toMillis() + 2000));
    }

    private static int serve(EventLoops loops, ReloadingSslContext tls) throws InterruptedException {
        Channel server = new ServerBootstrap()
                .group(loops.boss(), loops.io())
                .channel(loops.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Whether a connection to localhost:port completes its handshake with the peers' client context. */
    private static boolean handshake(EventLoops loops, PeerTls peers, int port) throws InterruptedException {
        Channel client = new Bootstrap()
                .group(loops.io())
                .channel(loops.socketChannel())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(peers.context().newHandler(ch.alloc(), "localhost", port));
                    }
                })
                .connect("127.0.0.1", port)
                .sync()
                .channel();
        try {
            var done = client.pipeline().get(SslHandler.class).handshakeFuture();
            assertThat(done.await(20, TimeUnit.SECONDS))
                    .as("handshake finished")
                    .isTrue();
            return done.isSuccess();
        } finally {
            client.close().sync();
        }
    }
}
