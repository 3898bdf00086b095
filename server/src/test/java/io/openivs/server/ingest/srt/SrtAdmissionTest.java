package io.openivs.server.ingest.srt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.ts.demux.TsDemuxerTest;
import io.openivs.server.testing.Publishing;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission to the port's handshake slots is fair across source addresses: callers from more addresses than
 * the slots can serve at their per-address cap (each proving its address with the SYN cookie, then holding its
 * slot with a stream id whose authorisation never answers, as a stalled store would) fill every slot, and the
 * real ffmpeg caller from another address still gets one, is authorised and publishes.
 */
class SrtAdmissionTest {
    /**
     * More addresses than the slots can serve at their per-address cap, and an even share of the slots each (2 of
     * 256, under the cap of 8): none can be refused for holding too many, and once the slots are full no holder has
     * fewer than another, so none takes another's slot. With more addresses than slots (320 once), those without
     * one took a slot from those with one on every pass, and each slot taken left its never-answering lookup
     * running: past twice the slots of those, the port refuses every new caller (the bound on lookups in flight),
     * the real one too if its ffmpeg started a second late.
     */
    static final int ADDRESSES = 128;

    static final String KEY = "sk_real";

    EventLoopGroup group;
    SrtServer server;
    final List<SrtFfmpegTest.Received> sessions = new CopyOnWriteArrayList<>();
    final AtomicInteger stalled = new AtomicInteger();

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new SrtServer(
                        new SrtIngest() {
                            @Override
                            public CompletableFuture<Optional<SrtAccess>> authorize(
                                    String streamId, InetSocketAddress peer) {
                                if (streamId.equals(KEY)) {
                                    return CompletableFuture.supplyAsync(() -> Optional.of(SrtAccess.insecure()));
                                }
                                stalled.incrementAndGet();
                                return new CompletableFuture<>(); // a lookup that never answers
                            }

                            @Override
                            public Session open(SrtCaller caller, Link link) {
                                SrtFfmpegTest.Received r = new SrtFfmpegTest.Received(caller);
                                sessions.add(r);
                                return r;
                            }
                        },
                        SrtServer.Config.defaults())
                .bind(group, SrtServer.channelType(false), new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aCallerFromANewAddressGetsASlotWhenManyAddressesHoldThemAll() throws Exception {
        int slots = SrtServer.Config.defaults().maxPending();
        assertThat(ADDRESSES).isGreaterThan(slots / SrtServer.MAX_PENDING_PER_ADDRESS);
        assertThat(slots % ADDRESSES).as("an even share of the slots each").isZero();
        Path source = TsDemuxerTest.tsFile(dir.resolve("source.ts"), "0", 3);
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicInteger maxAuthorising = new AtomicInteger();
        try (Holders holders = new Holders(server.localAddress())) {
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> holders.run(flooding, maxAuthorising));
            SrtFfmpegTest.await(() -> server.authorisingHandshakes() == slots);
            long evictedBefore = server.evictedCount();

            FfmpegTool.Result r =
                    SrtFfmpegTest.publish(source, server.localAddress().getPort(), "streamid=" + KEY);
            assertThat(flood.isDone()).as("the holders ran throughout").isFalse();
            flooding.set(false);
            flood.get(10, TimeUnit.SECONDS);

            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(sessions).hasSize(1);
            assertThat(sessions.get(0).closed.await(15, TimeUnit.SECONDS)).isTrue();
            assertThat(sessions.get(0).bytes.size()).isPositive();
            assertThat(server.evictedCount())
                    .as("slots given up to the newcomer's address")
                    .isGreaterThan(evictedBefore);
            assertThat(maxAuthorising.get()).as("slots held at worst").isEqualTo(slots);
            System.out.printf(
                    "admission: %d stalled authorisations from %d addresses, %d slots given up, %d refused%n",
                    stalled.get(), ADDRESSES, server.evictedCount(), server.rejectedCount());
        } finally {
            flooding.set(false);
        }
        // Stalled authorisations time out (10 s): then nothing is held.
        Publishing.await(Duration.ofSeconds(40), () -> server.pendingHandshakes() == 0 ? true : null);
        assertThat(server.authorisingHandshakes()).isZero();
    }

    /**
     * One socket on each of 127.1.0.1.. (all of 127/8 is loopback): learns its cookie, then sends a conclusion
     * for a new caller socket every 250 ms, under the port's per-address handshake rate.
     */
    final class Holders implements AutoCloseable {
        final List<DatagramChannel> sockets = new ArrayList<>();
        final InetSocketAddress server;

        Holders(InetSocketAddress server) throws IOException {
            this.server = server;
            for (int a = 0; a < ADDRESSES; a++) {
                InetAddress address =
                        InetAddress.getByAddress(new byte[] {127, 1, (byte) (a / 250), (byte) (1 + a % 250)});
                DatagramChannel c = DatagramChannel.open();
                c.bind(new InetSocketAddress(address, 0));
                c.configureBlocking(false);
                sockets.add(c);
            }
        }

        void run(AtomicBoolean go, AtomicInteger maxAuthorising) {
            int[] cookies = new int[sockets.size()];
            ByteBuffer in = ByteBuffer.allocate(2048);
            int callerSocket = 1;
            try {
                while (go.get()) {
                    for (int s = 0; s < sockets.size() && go.get(); s++) {
                        DatagramChannel c = sockets.get(s);
                        cookies[s] = SrtHandshakeFloodTest.Flooder.cookie(c, in, cookies[s]);
                        ByteBuffer out = cookies[s] == 0
                                ? SrtHandshakeFloodTest.Flooder.induction(callerSocket++, 1)
                                : SrtHandshakeFloodTest.Flooder.conclusion(
                                        callerSocket++, 1, cookies[s], "sk_stalled_" + callerSocket, null);
                        c.send(out, server);
                    }
                    maxAuthorising.accumulateAndGet(SrtAdmissionTest.this.server.authorisingHandshakes(), Math::max);
                    Thread.sleep(250);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws IOException {
            for (DatagramChannel c : sockets) {
                c.close();
            }
        }
    }
}
