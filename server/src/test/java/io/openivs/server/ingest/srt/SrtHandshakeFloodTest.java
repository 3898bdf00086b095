package io.openivs.server.ingest.srt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.Channel;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * A handshake flood from many source addresses and ports (garbage, inductions never concluded, conclusions with
 * wrong cookies, and with valid cookies but unknown stream ids, unencrypted or with the wrong passphrase) while the
 * real ffmpeg publishes over SRT: the publisher goes live and plays, and the state the port holds for handshakes
 * stays under its cap throughout and is freed afterwards.
 */
class SrtHandshakeFloodTest {
    /** Flooding addresses: their in-flight caps together stay under the port's, so a real caller finds room. */
    static final int ADDRESSES = 20;

    static final int PORTS_PER_ADDRESS = 3;

    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aRealPublisherGoesLiveDuringAFloodAndTheHandshakeStateStaysBounded() throws Exception {
        CreateChannelResponse created = node.ivs().createChannel(b -> b.name("srt-flood"));
        Channel channel = created.channel();
        String key = created.streamKey().value();
        InetSocketAddress server =
                new InetSocketAddress("127.0.0.1", node.server().server().srtPort());
        int cap = SrtServer.Config.defaults().maxPending() + SrtServer.MAX_REMEMBERED_REFUSALS;
        assertThat(ADDRESSES * SrtServer.MAX_PENDING_PER_ADDRESS)
                .isLessThan(SrtServer.Config.defaults().maxPending());

        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong maxPending = new AtomicLong();
        long[] sentTotal = {0};
        long[] cookiesTotal = {0};
        try (Flooder flooder = new Flooder(server, key)) {
            CompletableFuture<Void> flood =
                    CompletableFuture.runAsync(() -> flooder.run(flooding), Publishing.background);
            CompletableFuture<Void> watch = CompletableFuture.runAsync(
                    () -> {
                        while (flooding.get()) {
                            maxPending.accumulateAndGet(metric("openivs_srt_pending_handshakes"), Math::max);
                            sleep(200);
                        }
                    },
                    Publishing.background);
            // The flood is under way (valid conclusions sent, handshake state held) before the publisher starts.
            Publishing.await(
                    Duration.ofSeconds(30), () -> flooder.validCookies.get() > 0 && maxPending.get() > 0 ? true : null);
            String url = "srt://127.0.0.1:" + server.getPort() + "?mode=caller&latency=300000&pbkeylen=16&streamid="
                    + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&passphrase="
                    + URLEncoder.encode(channel.srt().passphrase(), StandardCharsets.UTF_8);
            // Stopped once the flood is over and counted: it has published through all of it, and its exit code
            // still says whether that went without an error.
            Publishing.Stoppable publisher = Publishing.startStoppable(url, 60);
            FfmpegTool.Result probe = Publishing.await(Duration.ofSeconds(30), () -> {
                try {
                    FfmpegTool.Result r = FfmpegTool.ffprobe(
                            "-v",
                            "error",
                            "-show_entries",
                            "stream=codec_name",
                            "-of",
                            "csv=p=0",
                            channel.playbackUrl());
                    return r.exitCode() == 0 && r.stdout().contains("h264") ? r : null;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(probe.stdout()).contains("aac");
            assertThat(flood.isDone())
                    .as("the flood ran on while the publisher went live")
                    .isFalse();
            long sent = flooder.sent.get();
            Thread.sleep(3_000);
            assertThat(flooder.sent.get()).as("still flooding").isGreaterThan(sent);
            flooding.set(false);
            flood.get(10, TimeUnit.SECONDS);
            watch.get(10, TimeUnit.SECONDS);
            assertThat(flooder.validCookies.get())
                    .as("conclusions with valid cookies sent")
                    .isPositive();
            sentTotal[0] = flooder.sent.get();
            cookiesTotal[0] = flooder.validCookies.get();
            FfmpegTool.Result published = publisher.stop();
            assertThat(published.exitCode()).as(published.stderr()).isZero();
        } finally {
            flooding.set(false);
        }
        System.out.printf(
                "flood: %d datagrams, %d conclusions with valid cookies; at worst %d handshakes held (cap %d);"
                        + " %d throttled, %d refused%n",
                sentTotal[0],
                cookiesTotal[0],
                maxPending.get(),
                cap,
                metric("openivs_srt_throttled_handshakes_total"),
                metric("openivs_srt_refused_total"));
        assertThat(maxPending.get())
                .as("handshake state held at the flood's worst")
                .isPositive()
                .isLessThanOrEqualTo(cap);
        assertThat(metric("openivs_srt_throttled_handshakes_total"))
                .as("over-rate sources dropped")
                .isPositive();
        assertThat(metric("openivs_srt_refused_total")).isPositive();
        // Refusals are remembered 5 s, authorisations time out in 10 s: then nothing is left.
        Publishing.await(Duration.ofSeconds(30), () -> metric("openivs_srt_pending_handshakes") == 0 ? true : null);
        Publishing.await(Duration.ofSeconds(30), () -> metric("openivs_srt_connections") == 0 ? true : null);
    }

    static long metric(String name) {
        try {
            String body = http.send(
                            HttpRequest.newBuilder(URI.create(node.server().endpoint() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.E+]+)$").matcher(body);
            assertThat(m.find()).as(name + " in /metrics").isTrue();
            return (long) Double.parseDouble(m.group(1));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sockets on 127.0.0.2.. (all of 127/8 is loopback), a few ports each, sending what an attacker would. */
    static final class Flooder implements AutoCloseable {
        final List<DatagramChannel> sockets = new ArrayList<>();
        final int[] cookies;
        final InetSocketAddress server;
        final String key;
        final KeyMaterial wrongKm;
        final Random random = new Random(7);
        final AtomicLong sent = new AtomicLong();
        final AtomicLong validCookies = new AtomicLong();

        Flooder(InetSocketAddress server, String key) throws IOException {
            this.server = server;
            this.key = key;
            for (int a = 0; a < ADDRESSES; a++) {
                InetAddress address = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + a)});
                for (int p = 0; p < PORTS_PER_ADDRESS; p++) {
                    DatagramChannel c = DatagramChannel.open();
                    c.bind(new InetSocketAddress(address, 0));
                    c.configureBlocking(false);
                    sockets.add(c);
                }
            }
            cookies = new int[sockets.size()];
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            wrongKm = SrtCrypto.wrap("not the channel's passphrase", salt, 1, new byte[16]);
        }

        /** About 3,000 datagrams a second, round the sockets, until told to stop. */
        void run(AtomicBoolean go) {
            ByteBuffer in = ByteBuffer.allocate(2048);
            try {
                for (long n = 0; go.get(); n++) {
                    int s = (int) (n % sockets.size());
                    DatagramChannel c = sockets.get(s);
                    learnCookie(c, s, in);
                    c.send(datagram((int) (n / sockets.size() % 6), s), server);
                    sent.incrementAndGet();
                    if (n % 30 == 0) {
                        Thread.sleep(10);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The cookie in an induction answer to socket {@code s}, if one came. */
        private void learnCookie(DatagramChannel c, int s, ByteBuffer in) throws IOException {
            cookies[s] = cookie(c, in, cookies[s]);
        }

        /** The cookie of the last induction answer waiting on {@code c}, else {@code known}; drains the socket. */
        static int cookie(DatagramChannel c, ByteBuffer in, int known) throws IOException {
            int cookie = known;
            while (true) {
                in.clear();
                if (c.receive(in) == null) {
                    return cookie;
                }
                in.flip();
                ByteBuf b = Unpooled.wrappedBuffer(in);
                if (b.readableBytes() >= SrtPacket.HEADER_SIZE + Handshake.SIZE && SrtPacket.isControl(b)) {
                    try {
                        Handshake h = Handshake.parse(
                                b.slice(SrtPacket.HEADER_SIZE, b.readableBytes() - SrtPacket.HEADER_SIZE));
                        if (h.type() == Handshake.TYPE_INDUCTION) {
                            cookie = h.cookie();
                        }
                    } catch (IllegalArgumentException e) {
                        // a refusal or something else: not a cookie
                    }
                }
            }
        }

        private ByteBuffer datagram(int kind, int s) {
            int callerSocket = 1 + random.nextInt(0x3FFF_FFFF);
            switch (kind) {
                case 0: {
                    byte[] junk = new byte[1 + random.nextInt(1400)];
                    random.nextBytes(junk);
                    return ByteBuffer.wrap(junk);
                }
                case 1: // an induction, never concluded (its answer teaches this socket a cookie)
                    return induction(callerSocket, random.nextInt(0x7FFF_FFFF));
                case 2: // a conclusion with a made-up cookie
                    return conclusion(callerSocket, random.nextInt(), "sk_us-west-2_nobody", null);
                case 3: // a valid cookie, a stream id that is no key
                    return withCookie(s, callerSocket, "sk_us-west-2_" + random.nextInt(1_000_000), null);
                case 4: // a valid cookie, the real key, unencrypted
                    return withCookie(s, callerSocket, key, null);
                default: // a valid cookie, the real key, the wrong passphrase
                    return withCookie(s, callerSocket, key, wrongKm);
            }
        }

        private ByteBuffer withCookie(int s, int callerSocket, String streamId, KeyMaterial km) {
            if (cookies[s] != 0) {
                validCookies.incrementAndGet();
            }
            return conclusion(callerSocket, cookies[s], streamId, km);
        }

        private ByteBuffer conclusion(int callerSocket, int cookie, String streamId, KeyMaterial km) {
            return conclusion(callerSocket, random.nextInt(0x7FFF_FFFF), cookie, streamId, km);
        }

        /** An HSv5 induction request, as a caller opens with. */
        static ByteBuffer induction(int callerSocket, int initialSequence) {
            return handshake(new Handshake(
                    4,
                    0,
                    2,
                    initialSequence,
                    1500,
                    8192,
                    Handshake.TYPE_INDUCTION,
                    callerSocket,
                    0,
                    new byte[16],
                    null,
                    null,
                    -1,
                    null,
                    false));
        }

        /** A live-mode HSv5 conclusion request with the stream id and, if given, key material. */
        static ByteBuffer conclusion(
                int callerSocket, int initialSequence, int cookie, String streamId, KeyMaterial km) {
            int flags = Handshake.SrtHs.TSBPDSND
                    | Handshake.SrtHs.TSBPDRCV
                    | Handshake.SrtHs.TLPKTDROP
                    | Handshake.SrtHs.PERIODICNAK
                    | Handshake.SrtHs.REXMITFLG
                    | (km != null ? Handshake.SrtHs.CRYPT : 0);
            return handshake(new Handshake(
                    5,
                    km != null ? 2 : 0,
                    Handshake.FLAG_HSREQ | Handshake.FLAG_CONFIG | (km != null ? Handshake.FLAG_KMREQ : 0),
                    initialSequence,
                    1500,
                    8192,
                    Handshake.TYPE_CONCLUSION,
                    callerSocket,
                    cookie,
                    new byte[16],
                    new Handshake.SrtHs(0x010503, flags, 120, 120),
                    km,
                    -1,
                    streamId,
                    false));
        }

        static ByteBuffer handshake(Handshake h) {
            ByteBuf b = Unpooled.buffer();
            SrtPacket.writeControlHeader(b, SrtPacket.CTRL_HANDSHAKE, 0, 0, 0, 0);
            h.write(b);
            return b.nioBuffer();
        }

        @Override
        public void close() throws IOException {
            for (DatagramChannel c : sockets) {
                c.close();
            }
        }
    }
}
