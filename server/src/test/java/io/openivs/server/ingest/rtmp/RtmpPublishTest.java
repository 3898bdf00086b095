package io.openivs.server.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real peers against a real server: ffmpeg publishing over RTMP and RTMPS, and raw sockets misbehaving. */
class RtmpPublishTest {
    private static final String KEY = "sk_test_publishKey42";

    @TempDir
    static Path dir;

    private static EventLoopGroup boss;
    private static EventLoopGroup workers;
    private static final TestAuthorizer authorizer = new TestAuthorizer();
    private static RtmpServer plain;
    private static RtmpServer tls;

    /** Accepts one stream key on app "app", answering from another thread as a real lookup would. */
    static final class TestAuthorizer implements PublishAuthorizer {
        final BlockingQueue<RecordingSession> sessions = new LinkedBlockingQueue<>();
        final AtomicInteger refusals = new AtomicInteger();

        @Override
        public CompletionStage<PublishSession> authorize(
                String app, String streamName, boolean secure, InetSocketAddress remote) {
            return CompletableFuture.supplyAsync(
                    () -> {
                        if (!"app".equals(app) || !KEY.equals(streamName)) {
                            refusals.incrementAndGet();
                            throw new PublishRefusedException("unknown stream key");
                        }
                        RecordingSession s = new RecordingSession();
                        sessions.add(s);
                        return s;
                    },
                    CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS));
        }

        RecordingSession next() throws InterruptedException {
            RecordingSession s = sessions.poll(10, TimeUnit.SECONDS);
            assertThat(s).as("a publish session was granted").isNotNull();
            return s;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        LeakRecorder.install();
        Ffmpeg.executable();
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        plain = new RtmpServer(RtmpServer.Config.of("127.0.0.1", 0, null, authorizer, boss, workers));
        plain.start();
        tls = new RtmpServer(RtmpServer.Config.of(
                "127.0.0.1",
                0,
                RtmpsCertificates.selfSigned(dir.resolve("data"), "localhost"),
                authorizer,
                boss,
                workers));
        tls.start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (plain != null) {
                plain.stop();
            }
            if (tls != null) {
                tls.stop();
            }
        } finally {
            if (boss != null) {
                boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
                workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
        LeakRecorder.assertNoLeaks();
    }

    private static String url(String scheme, RtmpServer server, String key) {
        return scheme + "://127.0.0.1:" + server.port() + "/app/" + key;
    }

    private static int finish(Process ffmpeg, Path log, long seconds) throws InterruptedException {
        boolean exited = ffmpeg.waitFor(seconds, TimeUnit.SECONDS);
        if (!exited) {
            ffmpeg.destroyForcibly().waitFor();
        }
        assertThat(exited).as("ffmpeg finished; log:\n%s", Ffmpeg.log(log)).isTrue();
        return ffmpeg.exitValue();
    }

    /** What a viewer of this stream would need: metadata, both sequence headers, every frame in order, one close. */
    private static void assertCompletePublish(RecordingSession session, int expectedFrames)
            throws InterruptedException {
        assertThat(session.awaitClosed(5000)).as("session closed").isTrue();
        Thread.sleep(100); // a second closed() would arrive right after the first
        assertThat(session.closedReasons()).hasSize(1);

        List<Map<String, Object>> metadata = session.metadata();
        assertThat(metadata).isNotEmpty();
        assertThat(metadata.get(0)).containsEntry("width", 640.0).containsEntry("height", 360.0);

        List<RecordingSession.Tag> video = session.video();
        assertThat(video).isNotEmpty();
        assertThat(video.get(0).byte0()).as("AVC keyframe").isEqualTo(0x17);
        assertThat(video.get(0).byte1()).as("AVC sequence header").isEqualTo(0);
        List<RecordingSession.Tag> frames =
                video.stream().filter(t -> t.byte1() == 1).toList();
        assertThat(frames.size()).isBetween(expectedFrames - 5, expectedFrames + 2);
        for (int i = 1; i < frames.size(); i++) {
            assertThat(frames.get(i).timestamp())
                    .as("frame %d timestamp", i)
                    .isGreaterThan(frames.get(i - 1).timestamp());
        }
        assertThat(frames.get(frames.size() - 1).timestamp())
                .isBetween(expectedFrames * 33L - 300, expectedFrames * 34L);

        List<RecordingSession.Tag> audio = session.audio();
        assertThat(audio).isNotEmpty();
        assertThat(audio.get(0).byte0() >> 4).as("AAC").isEqualTo(10);
        assertThat(audio.get(0).byte1()).as("AAC sequence header").isEqualTo(0);
        assertThat(audio.size()).as("AAC frames in 3 s at 44.1 kHz").isGreaterThan(expectedFrames);
    }

    @Test
    void ffmpegPublishDeliversMetadataSequenceHeadersAndFrames() throws Exception {
        Path log = dir.resolve("plain.log");
        Process ffmpeg = Ffmpeg.publish(url("rtmp", plain, KEY), 3, log);
        RecordingSession session = authorizer.next();
        assertThat(finish(ffmpeg, log, 20))
                .as("ffmpeg exit; log:\n%s", Ffmpeg.log(log))
                .isZero();
        assertCompletePublish(session, 90);
        assertThat(session.closedReasons().get(0)).isIn("unpublished", "connection closed");
        assertThat(session.control().bytesReceived()).isGreaterThan(10_000);
    }

    @Test
    void wrongStreamKeyIsRefused() throws Exception {
        int refusalsBefore = authorizer.refusals.get();
        Path log = dir.resolve("refused.log");
        Process ffmpeg = Ffmpeg.publish(url("rtmp", plain, "not-the-key"), 3, log);
        assertThat(finish(ffmpeg, log, 10)).isNotZero();
        assertThat(authorizer.refusals.get()).isEqualTo(refusalsBefore + 1);
        assertThat(authorizer.sessions).isEmpty();
        assertThat(Ffmpeg.log(log)).contains("unknown stream key");
    }

    @Test
    void ffmpegPublishesOverRtmpsWithASelfSignedCertificate() throws Exception {
        Path log = dir.resolve("tls.log");
        Process ffmpeg = Ffmpeg.publish(url("rtmps", tls, KEY), 3, log);
        RecordingSession session = authorizer.next();
        assertThat(finish(ffmpeg, log, 20))
                .as("ffmpeg exit; log:\n%s", Ffmpeg.log(log))
                .isZero();
        assertCompletePublish(session, 90);
    }

    @Test
    void disconnectFromTheSessionEndsFfmpegsPublishWithinASecond() throws Exception {
        Path log = dir.resolve("disconnect.log");
        Process ffmpeg = Ffmpeg.publish(url("rtmp", plain, KEY), 30, log);
        try {
            RecordingSession session = authorizer.next();
            assertThat(session.awaitStarted(5000)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (session.video().size() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(session.video().size()).as("frames before stopping").isGreaterThanOrEqualTo(10);

            long t0 = System.nanoTime();
            session.control().disconnect("stopped by API");
            boolean exited = ffmpeg.waitFor(1, TimeUnit.SECONDS);
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(exited)
                    .as("ffmpeg ended %d ms after disconnect; log:\n%s", elapsedMs, Ffmpeg.log(log))
                    .isTrue();
            assertThat(ffmpeg.exitValue()).isNotZero();
            assertThat(session.awaitClosed(1000)).isTrue();
            assertThat(session.closedReasons()).containsExactly("stopped by API");
        } finally {
            ffmpeg.destroyForcibly().waitFor();
        }
    }

    @Test
    void hostileConnectionsDoNotDisturbARunningPublish() throws Exception {
        Path log = dir.resolve("hostile.log");
        Process ffmpeg = Ffmpeg.publish(url("rtmp", plain, KEY), 3, log);
        RecordingSession session = authorizer.next();
        assertThat(session.awaitStarted(5000)).isTrue();
        Random random = new Random(7);
        for (int round = 0; round < 5; round++) {
            for (int variant = 0; variant < Hostile.values().length; variant++) {
                Hostile.values()[variant].run(plain.port(), random);
            }
        }
        assertThat(finish(ffmpeg, log, 20))
                .as("ffmpeg exit; log:\n%s", Ffmpeg.log(log))
                .isZero();
        assertCompletePublish(session, 90);
    }

    @Test
    void aThousandBadConnectionsLeakNothingAndThePublishAfterThemWorks() throws Exception {
        Random random = new Random(11);
        Hostile[] variants = Hostile.values();
        for (int i = 0; i < 1000; i++) {
            variants[i % variants.length].run(plain.port(), random);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (plain.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(plain.openConnections())
                .as("connections still open on the server")
                .isZero();
        LeakRecorder.assertNoLeaks();

        Path log = dir.resolve("after.log");
        Process ffmpeg = Ffmpeg.publish(url("rtmp", plain, KEY), 1, log);
        RecordingSession session = authorizer.next();
        assertThat(finish(ffmpeg, log, 15))
                .as("ffmpeg exit; log:\n%s", Ffmpeg.log(log))
                .isZero();
        assertCompletePublish(session, 30);
    }

    @Test
    void handshakeTimeoutAndBadVersionCloseTheConnection() throws Exception {
        RtmpServer quick = new RtmpServer(RtmpServer.Config.of("127.0.0.1", 0, null, authorizer, boss, workers)
                .withHandshakeTimeout(Duration.ofMillis(300)));
        quick.start();
        try {
            try (RawRtmpPeer silent = new RawRtmpPeer(quick.port())) {
                long t0 = System.nanoTime();
                silent.send(new byte[] {3, 0, 0, 0});
                assertThat(silent.closedByServerWithin(3000)).isTrue();
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                        .isGreaterThanOrEqualTo(250);
            }
            try (RawRtmpPeer wrongVersion = new RawRtmpPeer(quick.port())) {
                wrongVersion.send(new byte[] {6});
                assertThat(wrongVersion.closedByServerWithin(250))
                        .as("closed before the handshake timeout")
                        .isTrue();
            }
        } finally {
            quick.stop();
        }
    }

    /** Ways a peer can misbehave; each asserts the server's reaction where there is one to see. */
    enum Hostile {
        GARBAGE {
            @Override
            void run(int port, Random random) throws IOException {
                byte[] junk = new byte[4096];
                random.nextBytes(junk);
                junk[0] = (byte) 0xEE; // not version 3
                try (RawRtmpPeer peer = new RawRtmpPeer(port)) {
                    peer.send(junk);
                    assertThat(peer.closedByServerWithin(2000))
                            .as("server closes on garbage")
                            .isTrue();
                }
            }
        },
        TRUNCATED_HANDSHAKE {
            @Override
            void run(int port, Random random) throws IOException {
                byte[] partial = new byte[1 + random.nextInt(1536)];
                partial[0] = 3;
                try (RawRtmpPeer peer = new RawRtmpPeer(port)) {
                    peer.send(partial);
                }
            }
        },
        HUGE_CHUNK_SIZE {
            @Override
            void run(int port, Random random) throws IOException {
                try (RawRtmpPeer peer = new RawRtmpPeer(port)) {
                    peer.handshake()
                            .send(new ChunkBytes().setChunkSize(0x80000000L).toByteArray());
                    assertThat(peer.closedByServerWithin(2000))
                            .as("server closes on chunk size 2^31")
                            .isTrue();
                }
            }
        },
        GONE_MID_CHUNK {
            @Override
            void run(int port, Random random) throws IOException {
                // A message split over chunks, the peer vanishing after the first: the server holds a partial buffer.
                byte[] bytes = new ChunkBytes()
                        .type0(6, 0, 5000, RtmpMessageType.VIDEO, 1)
                        .bytes(new byte[128])
                        .type3(6)
                        .bytes(new byte[60])
                        .toByteArray();
                try (RawRtmpPeer peer = new RawRtmpPeer(port)) {
                    peer.handshake().send(bytes);
                }
            }
        },
        RANDOM_CHUNKS {
            @Override
            void run(int port, Random random) throws IOException {
                byte[] junk = new byte[2048];
                random.nextBytes(junk);
                try (RawRtmpPeer peer = new RawRtmpPeer(port)) {
                    peer.handshake().send(junk);
                }
            }
        };

        abstract void run(int port, Random random) throws IOException;
    }
}
