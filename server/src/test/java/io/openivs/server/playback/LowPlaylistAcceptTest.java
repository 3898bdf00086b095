package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.Prefetch;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.Segmenter;
import io.openivs.server.playback.access.Verdict;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A LOW FRAGMENTED_MP4 channel's LL-HLS media playlist (parts and LHLS prefetch segments) through the
 * playback layers without sockets: EXT-X-START for a request whose Accept names the HLS type (Amazon's
 * IVS player), none for one that does not (hls.js's {@code *}{@code /*}, or no Accept), {@code Vary: Accept}
 * on both, the same for blocking reloads and a private channel's viewer.
 */
class LowPlaylistAcceptTest {
    private static final String MEDIA = ViewerRequestTest.CHANNEL + "/live.m3u8";

    private Verdict verdict = new Verdict(null, "*", "", null);
    private final EmbeddedChannel channel =
            ViewerChannel.open(name -> name.equals(ViewerRequestTest.NAME) ? this.live : null, () -> verdict);
    private final Segmenter segmenter = MediaPlaylistCacheTest.lowLatencySegmenter();
    private final MediaPlaylistCache cache = new MediaPlaylistCache();

    /** The channel's rendition as a LOW fMP4 Rendition shows it to playback; the channel's loop is its owner. */
    private final LiveRendition live = new LiveRendition() {
        @Override
        public EventExecutor owner() {
            return channel.eventLoop();
        }

        @Override
        public boolean ended() {
            return false;
        }

        @Override
        public List<Segment> segments() {
            return segmenter.segments();
        }

        @Override
        public int targetDurationSeconds() {
            return segmenter.targetDurationSeconds();
        }

        @Override
        public void viewer(InetAddress address) {}

        @Override
        public boolean fragmentedMp4() {
            return true;
        }

        @Override
        public LowLatency lowLatency(LowLatency.PartUri partUri) {
            return MediaPlaylistCacheTest.lowLatency(segmenter, partUri);
        }

        @Override
        public Prefetch prefetch() {
            return segmenter.prefetch();
        }

        @Override
        public MediaPlaylistCache mediaPlaylistCache() {
            return cache;
        }
    };

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
        segmenter.close();
    }

    @Test
    void theIvsPlayerGetsExtXStartAndHlsJsDoesNotBothToldItVariesByAccept() {
        String ivs = get(MEDIA, "Accept: " + HlsAcceptTest.IVS_PLAYER);
        String hlsJs = get(MEDIA, "Accept: */*");
        String none = get(MEDIA, null);
        for (String answer : List.of(ivs, hlsJs, none)) {
            assertThat(answer)
                    .startsWith("HTTP/1.1 200 OK")
                    .contains("#EXT-X-PART:")
                    .contains("#EXT-X-PREFETCH:");
            assertThat(varies(answer)).containsExactly("Accept");
        }
        assertThat(startLines(ivs)).hasSize(1);
        assertThat(startLines(hlsJs)).isEmpty();
        assertThat(startLines(none)).isEmpty();
        assertThat(cache.renders()).isEqualTo(2);

        // A blocking reload for a part that exists: answered at once, each player its own text.
        long msn = segmenter.nextSequence();
        String reload = MEDIA + "?_HLS_msn=" + msn + "&_HLS_part=0";
        assertThat(startLines(get(reload, "Accept: " + HlsAcceptTest.IVS_PLAYER)))
                .hasSize(1);
        assertThat(startLines(get(reload, "Accept: */*"))).isEmpty();
        assertThat(cache.renders()).isEqualTo(2);
    }

    @Test
    void aPrivateChannelsViewerToo() {
        verdict = new Verdict(null, "https://example.com", "?ticket=t", null);
        String ivs = get(MEDIA + "?token=x", "Accept: " + HlsAcceptTest.IVS_PLAYER);
        String hlsJs = get(MEDIA + "?token=x", "Accept: */*");
        assertThat(startLines(ivs)).hasSize(1);
        assertThat(startLines(hlsJs)).isEmpty();
        for (String answer : List.of(ivs, hlsJs)) {
            assertThat(answer).contains(".m4s?ticket=t");
            assertThat(varies(answer)).containsExactlyInAnyOrder("Accept", "origin");
        }
    }

    private String get(String path, String header) {
        String request = "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + (header == null ? "" : header + "\r\n") + "\r\n";
        channel.writeInbound(channel.alloc().buffer().writeBytes(request.getBytes(StandardCharsets.US_ASCII)));
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }

    /** The values of the answer's Vary lines. */
    private static List<String> varies(String answer) {
        return answer.substring(0, answer.indexOf("\r\n\r\n"))
                .lines()
                .filter(l -> l.regionMatches(true, 0, "vary:", 0, 5))
                .map(l -> l.substring(5).strip())
                .toList();
    }

    private static List<String> startLines(String answer) {
        return answer.lines().filter(l -> l.startsWith("#EXT-X-START:")).toList();
    }
}
