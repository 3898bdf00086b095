package io.openivs.server.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PublisherControl#receiveInBatches} on a real epoll socket, plain and TLS: small messages wait in the
 * kernel until a batch has gathered, the rest of a message already partly read wakes the loop as soon as it
 * is here, and turning batching off hands over what was waiting.
 */
class ReceiveBatchingTest {
    private static final int BATCH = 16 * 1024;

    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private RtmpServer server;
    private final RecordingSession session = new RecordingSession();
    private final EmbeddedChannel encoder = new EmbeddedChannel(new ChunkEncoder());

    @TempDir
    static Path dir;

    private RawRtmpPeer connect(boolean secure) throws Exception {
        assumeTrue(Epoll.isAvailable(), "SO_RCVLOWAT batching needs the epoll transport");
        boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        PublishAuthorizer authorizer = (app, name, tls, remote) -> CompletableFuture.completedFuture(session);
        server = new RtmpServer(new RtmpServer.Config(
                "127.0.0.1",
                0,
                secure ? RtmpsCertificates.selfSigned(dir, "localhost") : null,
                authorizer,
                boss,
                workers,
                EpollServerSocketChannel.class,
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                ChunkDecoder.DEFAULT_MAX_MESSAGE_LENGTH));
        server.start();
        if (!secure) {
            return new RawRtmpPeer(server.port());
        }
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null); // the self-signed certificate
        return new RawRtmpPeer(tls.getSocketFactory().createSocket(), server.port());
    }

    @AfterEach
    void stop() throws Exception {
        encoder.finishAndReleaseAll();
        if (server != null) {
            server.stop();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** The message as the publisher's chunk stream would carry it (the encoder keeps the chunk size it set). */
    private byte[] chunks(RtmpMessage message) {
        encoder.writeOutbound(message);
        ByteBuf out = Unpooled.buffer();
        for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
            out.writeBytes(b);
            b.release();
        }
        return ByteBufUtil.getBytes(out);
    }

    private byte[] video(long timestamp, int size) {
        byte[] body = ChunkBytes.pattern(size, (int) timestamp);
        body[0] = 0x27; // inter frame, AVC
        body[1] = 1; // NALU
        return chunks(new RtmpMessage(RtmpMessageType.VIDEO, 1, timestamp, Unpooled.wrappedBuffer(body)));
    }

    private void setBatch(int bytes) throws Exception {
        session.control().receiveInBatches(bytes);
        onLoop(); // the loop has applied it
    }

    /** Returns once the connection's event loop has finished what it was doing. */
    private void onLoop() throws Exception {
        session.control().executor().submit(() -> {}).get(5, TimeUnit.SECONDS);
    }

    private static boolean within(long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    @Test
    void batchingIsOnlyTriedWhereTheSocketOptionNumbersAndWakeUpHold() {
        assertThat(ReceiveLowWater.usable("Linux", "amd64", "6.1.0-37-amd64")).isTrue();
        assertThat(ReceiveLowWater.usable("Linux", "aarch64", "5.15.0")).isTrue();
        assertThat(ReceiveLowWater.usable("Linux", "amd64", "4.19.0-26-amd64"))
                .as("old kernel")
                .isFalse();
        assertThat(ReceiveLowWater.usable("Linux", "ppc64le", "6.1.0"))
                .as("SO_RCVLOWAT is 16 there")
                .isFalse();
        assertThat(ReceiveLowWater.usable("Mac OS X", "aarch64", "14.5")).isFalse();
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void smallMessagesGatherWhileThePartlyReadRestOfAFrameIsDeliveredAtOnce(boolean secure) throws Exception {
        try (RawRtmpPeer peer = connect(secure).handshake()) {
            peer.send(chunks(new RtmpMessage(
                    RtmpMessageType.SET_CHUNK_SIZE, 0, 0, Unpooled.buffer(4).writeInt(4096))));
            peer.send(chunks(RtmpCommand.of("connect", 1, Map.of("app", "app"), new Object[0])
                    .encode(ByteBufAllocator.DEFAULT, 0)));
            peer.send(chunks(RtmpCommand.of("createStream", 2, null).encode(ByteBufAllocator.DEFAULT, 0)));
            peer.send(chunks(RtmpCommand.of("publish", 3, null, "key", "live").encode(ByteBufAllocator.DEFAULT, 1)));
            assertThat(session.awaitStarted(5000)).isTrue();
            setBatch(BATCH);

            peer.send(video(0, 300));
            assertThat(within(300, () -> !session.video().isEmpty()))
                    .as("a 300-byte frame waits in the kernel for a batch of %d", BATCH)
                    .isFalse();

            byte[] big = video(33, 20_000);
            peer.send(Arrays.copyOf(big, 17_000)); // with the waiting frame, past the batch: the loop wakes
            assertThat(within(2000, () -> session.video().size() == 1))
                    .as("the batch was handed over")
                    .isTrue();
            onLoop(); // that read is over (it reads in pieces: the rest must not slip into it)
            peer.send(Arrays.copyOfRange(big, 17_000, big.length)); // the last ~3 KB: far less than a batch
            assertThat(within(1000, () -> session.video().size() == 2))
                    .as("the rest of a frame already partly read is delivered as soon as it is here")
                    .isTrue();
            assertThat(session.video().get(1).size()).isEqualTo(20_000);

            peer.send(video(66, 300));
            assertThat(within(300, () -> session.video().size() == 3)).isFalse();
            setBatch(0);
            assertThat(within(1000, () -> session.video().size() == 3))
                    .as("turning batching off hands over what waited")
                    .isTrue();
            peer.send(video(99, 300));
            assertThat(within(1000, () -> session.video().size() == 4))
                    .as("and every byte wakes the loop again")
                    .isTrue();
        }
    }
}
