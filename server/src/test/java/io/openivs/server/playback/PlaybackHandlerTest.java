package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.TestSegments;
import io.openivs.server.playback.access.AccessGate;
import io.openivs.server.playback.access.AccessRequest;
import io.openivs.server.playback.access.ResolutionClass;
import io.openivs.server.playback.access.Verdict;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The playback layers together, without sockets: a request through the decoder, the handler
 * (parsing, gate, answers) and the encoder, against a live rendition with a published window.
 */
class PlaybackHandlerTest {
    private static final String NAME = ViewerRequestTest.NAME;
    private static final String CHANNEL = ViewerRequestTest.CHANNEL;
    private static final Verdict PUBLIC = new Verdict(null, "*", "", null);

    private final List<Segment> segments = new ArrayList<>();
    private final List<AccessRequest> asked = new ArrayList<>();
    private Verdict verdict = PUBLIC;
    private PlaybackWindow window;
    private final List<InetAddress> viewers = new ArrayList<>();
    private boolean ownerAsked;
    /** When set, the gate cannot decide on the loop and settles with this instead. */
    private CompletableFuture<Verdict> settling;

    private final LiveRendition live = new TestRendition(segments, () -> window, () -> ownerAsked = true, viewers::add);

    private final AccessGate gate = new AccessGate() {
        @Override
        public Verdict decide(AccessRequest r) {
            asked.add(r);
            return settling == null ? verdict : null;
        }

        @Override
        public CompletionStage<Verdict> settle(AccessRequest r) {
            return settling;
        }
    };

    private final EmbeddedChannel channel = new EmbeddedChannel(
            new HttpRequestDecoder(8192, 8192, 8192),
            new PlaybackResponseEncoder(),
            new BodilessRequests(),
            new PlaybackHandler(name -> name.equals(NAME) ? live : null, gate, false));

    /** Every buffer the channel wrote, released once after the test (some are views of segment memory). */
    private final List<ByteBuf> written = new ArrayList<>();

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
        written.forEach(ByteBuf::release);
        segments.forEach(TestSegments::release);
    }

    /** Publishes a window of segments 10 to 12, each of {@code video}, filled with its own byte. */
    private void publish(VideoConfig video) {
        for (int seq = 10; seq <= 12; seq++) {
            ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(100_000 + seq);
            data.writeBytes(new byte[100_000 + seq]).setByte(0, seq);
            segments.add(TestSegments.segment(seq, data, video));
        }
        window = new PlaybackWindow(NAME, segments, List.of(), 2, false, false);
    }

    private record Response(String status, Map<String, String> headers, byte[] body, List<ByteBuf> written) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Sends {@code request} and reads the one answer it got; {@code head}: no body follows. */
    private Response exchange(String request, boolean head) {
        channel.writeInbound(channel.alloc().buffer().writeBytes(request.getBytes(StandardCharsets.US_ASCII)));
        return answer(head);
    }

    private Response answer(boolean head) {
        channel.runPendingTasks();
        List<ByteBuf> written = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            written.add(b);
            this.written.add(b);
            all.append(b.toString(StandardCharsets.ISO_8859_1));
        }
        String text = all.toString();
        int end = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        byte[] body = text.substring(end + 4).getBytes(StandardCharsets.ISO_8859_1);
        if (!head) {
            assertThat(body.length).isEqualTo(Integer.parseInt(headers.get("content-length")));
        } else {
            assertThat(body).isEmpty();
        }
        return new Response(lines[0], headers, body, written);
    }

    private Response get(String path, String... extraHeaders) {
        return exchange("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + String.join("", extraHeaders) + "\r\n", false);
    }

    @Test
    void aPublicSegmentIsTheWindowsHeadAndTheSegmentsOwnBytes() {
        publish(TestSegments.HD);
        Segment newest = segments.get(2);
        Response r = get(CHANNEL + "/12.ts");
        assertThat(r.status()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(r.headers())
                .containsEntry("content-type", "video/mp2t")
                .containsEntry("cache-control", "public, max-age=31536000, immutable")
                .containsEntry("content-length", "100012")
                .containsEntry("access-control-allow-origin", "*");
        assertThat(r.body()[0]).isEqualTo((byte) 12);
        // Not copied: the body written is a view of the stored segment's memory.
        ByteBuf body = r.written().get(r.written().size() - 1);
        ByteBuf stored = newest.retainedData();
        assertThat(body.memoryAddress() + body.readerIndex()).isEqualTo(stored.memoryAddress() + stored.readerIndex());
        stored.release();
        assertThat(asked).singleElement().satisfies(a -> assertThat(a.master()).isFalse());
        assertThat(viewers).as("segments do not count viewers").isEmpty();
        assertThat(ownerAsked).as("answered on the viewer's loop").isFalse();
        // Another viewer of the same segment gets the same bytes: the shared head was not consumed.
        Response again = get(CHANNEL + "/12.ts");
        assertThat(again.headers()).isEqualTo(r.headers());
    }

    @Test
    void segmentsHeadAndConnectionVariants() {
        publish(TestSegments.HD);
        Response head = exchange("HEAD " + CHANNEL + "/11.ts HTTP/1.1\r\nHost: x\r\n\r\n", true);
        assertThat(head.headers())
                .containsEntry("content-length", "100011")
                .containsEntry("cache-control", "public, max-age=31536000, immutable");
        Response old = exchange("GET " + CHANNEL + "/11.ts HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false);
        assertThat(old.headers()).containsEntry("connection", "keep-alive").containsEntry("content-length", "100011");
        assertThat(get(CHANNEL + "/9.ts").status()).as("left the window").isEqualTo("HTTP/1.1 404 Not Found");
        assertThat(get(CHANNEL + "/11.m4s").status()).as("the other container").isEqualTo("HTTP/1.1 404 Not Found");
        assertThat(channel.isOpen()).isTrue();
        Response last = get(CHANNEL + "/10.ts", "Connection: close\r\n");
        assertThat(last.headers()).containsEntry("connection", "close");
        assertThat(last.body()[0]).isEqualTo((byte) 10);
        assertThat(channel.isOpen()).as("closed after the answer").isFalse();
    }

    @Test
    void publicPlaylistsComeEncodedWithTheWindow() {
        publish(TestSegments.HD);
        Response media = get(CHANNEL + "/live.m3u8");
        assertThat(media.headers())
                .containsEntry("content-type", "application/vnd.apple.mpegurl")
                .containsEntry("cache-control", "max-age=1");
        assertThat(media.text()).startsWith("#EXTM3U").contains("\n12.ts\n").doesNotContain("token");
        Response master = get(CHANNEL + ".m3u8");
        assertThat(master.text()).contains(NAME + "/live.m3u8");
        assertThat(asked.get(1).master()).isTrue();
        assertThat(viewers).hasSize(2);
    }

    /**
     * The master tells the server's time when it is sent (the IVS player sets its clock by it for
     * getLiveLatency()), and so does every live media playlist, as IVS's do (a timestamp-class
     * EXT-X-DATERANGE with X-SERVER-TIME, which the IVS player reads on Safari); the encoded public
     * ones too, at the length their heads announce.
     */
    @Test
    void everyPlaylistTellsTheServerTimeOfItsAnswer() {
        publish(TestSegments.HD);
        java.util.regex.Pattern inMaster = java.util.regex.Pattern.compile(
                "^#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"SERVER-TIME\",VALUE=\"()(\\d{10})\\.(\\d{3})\"\n");
        java.util.regex.Pattern inMedia = java.util.regex.Pattern.compile(
                "\n#EXT-X-MEDIA-SEQUENCE:\\d+\n#EXT-X-DATERANGE:ID=\"playlist-creation-(\\d{13})\","
                        + "CLASS=\"timestamp\",START-DATE=\"[0-9T:.-]{23}Z\",END-ON-NEXT=YES,"
                        + "X-SERVER-TIME=\"(\\d{10})\\.(\\d{3})\"\n");
        for (Verdict v : List.of(PUBLIC, new Verdict(null, "*", "?token=t0k", null))) {
            verdict = v;
            for (boolean master : new boolean[] {true, false}) {
                long before = System.currentTimeMillis();
                Response r = get(CHANNEL + (master ? ".m3u8" : "/live.m3u8") + v.childQuery());
                long after = System.currentTimeMillis();
                java.util.regex.Matcher m = (master ? inMaster : inMedia).matcher(r.text());
                assertThat(m.find()).as(r.text()).isTrue();
                long told = Long.parseLong(m.group(2)) * 1000 + Long.parseLong(m.group(3));
                assertThat(told).as("server time in ms").isBetween(before, after);
                if (!master) {
                    assertThat(Long.parseLong(m.group(1)))
                            .as("the date range ID's time")
                            .isEqualTo(told);
                }
                assertThat(r.headers()).containsEntry("content-length", Integer.toString(r.body().length));
                assertThat(r.text())
                        .contains(master ? NAME + "/live.m3u8" + v.childQuery() : "\n12.ts" + v.childQuery() + "\n");
            }
        }
    }

    /**
     * A regular (NORMAL) live playlist lists the newest segments that last three target durations, as
     * nginx-rtmp's 6 s playlists do, not the whole window of six: a player cannot start further back
     * than that. The public and the private playlist alike; the segments left out are still served.
     */
    @Test
    void aRegularPlaylistListsThreeTargetDurationsAndTheWindowStaysServed() {
        for (int seq = 10; seq <= 15; seq++) {
            ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(1000);
            data.writeBytes(new byte[1000]).setByte(0, seq);
            // Segment 13 ends a frame early (1.967 s): three then last under 6 s, so four are listed.
            long ticks = seq == 13 ? 2 * 90_000 - 3_000 : 2 * 90_000;
            segments.add(TestSegments.segment(seq, ticks, data, TestSegments.HD));
        }
        window = new PlaybackWindow(NAME, segments, List.of(), 2, false, false);
        for (Verdict v : List.of(PUBLIC, new Verdict(null, "*", "?token=t0k", null))) {
            verdict = v;
            String text = get(CHANNEL + "/live.m3u8" + v.childQuery()).text();
            assertThat(text.lines().filter(l -> l.endsWith(".ts" + v.childQuery())))
                    .as(text)
                    .containsExactly(
                            "12.ts" + v.childQuery(),
                            "13.ts" + v.childQuery(),
                            "14.ts" + v.childQuery(),
                            "15.ts" + v.childQuery());
            assertThat(text).contains("#EXT-X-MEDIA-SEQUENCE:12\n").contains("#EXTINF:1.967,\n");
        }
        verdict = PUBLIC;
        Response oldest = get(CHANNEL + "/10.ts");
        assertThat(oldest.status()).as("unlisted, still in the window").isEqualTo("HTTP/1.1 200 OK");
        assertThat(oldest.body()[0]).isEqualTo((byte) 10);

        // Whole 2 s segments: three.
        TestSegments.release(segments.remove(0));
        segments.add(TestSegments.segment(
                16, PooledByteBufAllocator.DEFAULT.directBuffer(10).writeZero(10), TestSegments.HD));
        segments.add(TestSegments.segment(
                17, PooledByteBufAllocator.DEFAULT.directBuffer(10).writeZero(10), TestSegments.HD));
        window = new PlaybackWindow(NAME, segments, List.of(), 2, false, false);
        String text = get(CHANNEL + "/live.m3u8").text();
        assertThat(text.lines().filter(l -> l.endsWith(".ts"))).as(text).containsExactly("15.ts", "16.ts", "17.ts");
    }

    @Test
    void aPrivateViewerGetsItsTokenInEveryUriAndPrivateCaching() {
        publish(TestSegments.HD);
        verdict = new Verdict(null, "https://example.com", "?token=t0k", null);
        Response media = get(CHANNEL + "/live.m3u8?token=t0k", "Origin: https://example.com\r\n");
        assertThat(media.text()).contains("\n12.ts?token=t0k\n");
        assertThat(media.headers())
                .containsEntry("access-control-allow-origin", "https://example.com")
                .containsEntry("vary", "origin");
        Response segment = get(CHANNEL + "/12.ts?token=t0k");
        assertThat(segment.headers()).containsEntry("cache-control", "private, max-age=31536000, immutable");
        assertThat(asked.get(0).token()).isEqualTo("t0k");
        assertThat(asked.get(0).origin()).isEqualTo("https://example.com");
    }

    @Test
    void aTokenBelowTheOnlyRenditionIsRefused() {
        publish(TestSegments.HD);
        verdict = new Verdict(null, "*", "?token=secret", ResolutionClass.SD);
        Response r = get(CHANNEL + "/live.m3u8?token=secret&p=1");
        assertThat(r.status()).isEqualTo("HTTP/1.1 403 Forbidden");
        assertThat(r.text())
                .contains("aws:maximum-resolution")
                .contains(CHANNEL + "/live.m3u8?p=1")
                .doesNotContain("secret");
        verdict = new Verdict(null, "*", "?token=secret", ResolutionClass.HD);
        assertThat(get(CHANNEL + "/live.m3u8?token=secret").status()).isEqualTo("HTTP/1.1 200 OK");
    }

    @Test
    void withoutAWindowTheOwnerAnswers() {
        publish(TestSegments.SD);
        window = null;
        Response r = get(CHANNEL + "/11.ts");
        assertThat(ownerAsked).isTrue();
        assertThat(r.headers()).containsEntry("content-length", "100011");
        assertThat(r.body()[0]).isEqualTo((byte) 11);
        assertThat(get(CHANNEL + "/live.m3u8").text()).contains("\n12.ts\n");
        assertThat(get(CHANNEL + "/init-0.mp4").status())
                .as("no init segments on a TS channel")
                .isEqualTo("HTTP/1.1 404 Not Found");
    }

    @Test
    void aVerdictSettledOffTheLoopAnswersWhole() throws Exception {
        publish(TestSegments.HD);
        settling = new CompletableFuture<>();
        channel.writeInbound(channel.alloc()
                .buffer()
                .writeBytes(
                        ("GET " + CHANNEL + "/12.ts HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        assertThat((Object) channel.readOutbound())
                .as("nothing before the verdict")
                .isNull();
        Thread settler = new Thread(() -> settling.complete(PUBLIC));
        settler.start();
        settler.join();
        Response r = answer(false);
        assertThat(r.status()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(r.headers()).containsEntry("content-length", "100012");
        assertThat(r.body()[0]).isEqualTo((byte) 12);
    }

    @Test
    void refusalsAndOfflineChannels() {
        verdict = new Verdict(new io.openivs.server.playback.access.AccessDenied("x", "nope"), null, null, null);
        Response refused = get(CHANNEL + ".m3u8?token=abc");
        assertThat(refused.status()).isEqualTo("HTTP/1.1 403 Forbidden");
        assertThat(refused.text()).contains("\"error\":\"nope\"").doesNotContain("abc");
        verdict = PUBLIC;
        Response offline = get("/api/video/v1/us-west-2.123456789012.channel.Other.m3u8");
        assertThat(offline.status()).isEqualTo("HTTP/1.1 404 Not Found");
        assertThat(offline.headers()).containsEntry("cache-control", "no-cache");
        Response post = exchange("POST " + CHANNEL + ".m3u8 HTTP/1.1\r\nHost: x\r\n\r\n", false);
        assertThat(post.status()).isEqualTo("HTTP/1.1 405 Method Not Allowed");
    }
}
