package io.openivs.server.ingest.srt;

import static io.openivs.server.testing.Publishing.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.UncheckedBooleanSupplier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A read burst ends at the first recvmmsg that fills fewer slots than it offered, and no datagram is left behind. */
class BatchReadsTest {

    static final int SIZE = 1500;
    static final int SLOTS = 4;

    @Test
    void aShortCallEndsTheBurstAndAFullOneReadsOnUpToTheBurstsLimit() {
        RecvByteBufAllocator.ExtendedHandle h =
                (RecvByteBufAllocator.ExtendedHandle) new BatchReads(SIZE, SLOTS, 10).newHandle();
        h.reset(new EmbeddedChannel().config());

        call(h, SLOTS);
        assertThat(h.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER))
                .as("every slot filled: more may wait")
                .isTrue();

        call(h, 3);
        assertThat(h.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER))
                .as("a short call emptied the socket")
                .isFalse();

        h.reset(new EmbeddedChannel().config());
        for (int i = 0; i < 3; i++) {
            call(h, SLOTS);
        }
        assertThat(h.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER))
                .as("12 read of a burst of at most 10: the loop's other work goes first")
                .isFalse();
    }

    @Test
    void datagramsBeyondOneCallAndAfterAShortOneAreAllRead() throws Exception {
        assumeTrue(Epoll.isAvailable(), "recvmmsg needs the epoll transport");
        List<Integer> got = Collections.synchronizedList(new ArrayList<>());
        List<Integer> bursts = Collections.synchronizedList(new ArrayList<>());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel ch = new Bootstrap()
                    .group(group)
                    .channel(EpollDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new BatchReads(SIZE, SLOTS, 1000))
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, SIZE)
                    .handler(new ChannelInboundHandlerAdapter() {
                        int inBurst;

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            DatagramPacket d = (DatagramPacket) msg;
                            got.add(d.content().getInt(d.content().readerIndex()));
                            inBurst++;
                            ReferenceCountUtil.release(msg);
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            bursts.add(inBurst);
                            inBurst = 0;
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .sync()
                    .channel();
            InetSocketAddress to = (InetSocketAddress) ch.localAddress();
            try (DatagramSocket sender = new DatagramSocket()) {
                // Queued while the loop is kept busy: one readiness event finds 4.5 calls' worth.
                ch.eventLoop()
                        .submit(() -> {
                            for (int i = 0; i < 18; i++) {
                                send(sender, to, i);
                            }
                            return null;
                        })
                        .sync();
                awaitCount(got, 18);
                // Then one at a time, each after the last burst ended on a short call.
                for (int i = 18; i < 24; i++) {
                    send(sender, to, i);
                    awaitCount(got, i + 1);
                }
            }
            ch.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            expected.add(i);
        }
        assertThat(got).containsExactlyElementsOf(expected);
        assertThat(bursts.get(0)).as("the queued 18 in one burst of full calls").isEqualTo(18);
    }

    /** What Netty's scatteringRead reports of one recvmmsg call that read {@code datagrams}. */
    static void call(RecvByteBufAllocator.ExtendedHandle h, int datagrams) {
        h.attemptedBytesRead(SIZE * SLOTS);
        h.lastBytesRead(SIZE * datagrams);
        h.incMessagesRead(datagrams);
    }

    static void send(DatagramSocket s, InetSocketAddress to, int n) {
        byte[] b = ByteBuffer.allocate(100).putInt(n).array();
        try {
            s.send(new java.net.DatagramPacket(b, b.length, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (up to 10 s) until {@code n} datagrams are read. */
    static void awaitCount(List<Integer> got, int n) throws InterruptedException {
        await(Duration.ofSeconds(10), () -> {
            assertThat(got).as("datagrams read").hasSize(n);
            return true;
        });
    }
}
