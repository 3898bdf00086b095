package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.openivs.server.media.fmp4.Fmp4SegmentWriter;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.PlaylistWriter;
import io.openivs.server.media.hls.Prefetch;
import io.openivs.server.media.hls.RenditionReport;
import io.openivs.server.media.hls.Segmenter;
import io.openivs.server.media.hls.SegmenterConfig;
import io.openivs.server.testing.SyntheticMedia;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Blocking reloads woken by one part get one rendering of the LL-HLS playlist: every answer is the playlist
 * rendered for it alone, byte for byte, but for the server-time line, which tells each answer's own time.
 */
class MediaPlaylistCacheTest {
    private static final List<RenditionReport> REPORTS = List.of(new RenditionReport("480p30/live.m3u8", 1, 2));

    private final Segmenter segmenter = lowLatencySegmenter();
    private final MediaPlaylistCache cache = new MediaPlaylistCache();

    /** A LOW fMP4 channel's segmenter (334 ms parts) fed 2.5 s: segment 0 finished at 2 s, parts of segment 1 since. */
    static Segmenter lowLatencySegmenter() {
        Segmenter s = new Segmenter(
                SegmenterConfig.DEFAULT,
                new Fmp4SegmentWriter(ByteBufAllocator.DEFAULT),
                () -> 1_700_000_000_000L,
                segment -> {});
        s.cutParts(Duration.ofMillis(334), () -> {});
        s.onSessionStart();
        s.onVideoConfig(SyntheticMedia.VIDEO);
        s.onAudioConfig(SyntheticMedia.AUDIO);
        SyntheticMedia.feed(s, 0, 75);
        return s;
    }

    /** The LL-HLS state of {@code s}, as a Rendition makes it. */
    static LowLatency lowLatency(Segmenter s, LowLatency.PartUri partUri) {
        return new LowLatency(
                s.partTargetTicks(),
                partUri,
                s.partsInProgress(),
                s.nextSequence(),
                s.nextStartsDiscontinuity(),
                s.programDateTimeInProgress());
    }

    @AfterEach
    void close() {
        segmenter.close();
    }

    @Test
    void answersOfOneStateShareOneRenderingAndDifferOnlyInTheirTime() throws Exception {

        String first = answer("", false);
        Thread.sleep(5); // a later millisecond: another time in the line
        String second = answer("", false);
        assertThat(cache.renders()).isOne();
        assertThat(second).isNotEqualTo(first);
        assertThat(withoutTime(second)).isEqualTo(withoutTime(first)).isEqualTo(withoutTime(rendered("", false)));
        assertThat(first).contains("#EXT-X-PART:").contains("#EXT-X-RENDITION-REPORT:URI=\"480p30/live.m3u8\"");

        // One more part: rendered again, once, and as a fresh rendering has it.
        SyntheticMedia.feed(segmenter, 75, 90);
        String later = answer("", false);
        answer("", false);
        assertThat(cache.renders()).isEqualTo(2);
        assertThat(later).isNotEqualTo(second);
        assertThat(withoutTime(later)).isEqualTo(withoutTime(rendered("", false)));

        // Another viewer's token, then the last playlist (no time line at all): each its own rendering.
        assertThat(withoutTime(answer("?token=t", false))).isEqualTo(withoutTime(rendered("?token=t", false)));
        assertThat(answer("", true)).isEqualTo(rendered("", true)).doesNotContain("X-SERVER-TIME");
        assertThat(cache.renders()).isEqualTo(4);
    }

    @Test
    void aLowChannelsPlaylistHasExtXStartOnlyForTheIvsPlayerAndVariesByAccept() {
        Prefetch prefetch = segmenter.prefetch(); // a LOW fMP4 channel's: parts and prefetch segments

        FullHttpResponse ivs = answer(cache, "", prefetch, false, true);
        FullHttpResponse hlsJs = answer(cache, "", prefetch, false, false);
        try {
            String ivsText = ivs.content().toString(StandardCharsets.UTF_8);
            String hlsJsText = hlsJs.content().toString(StandardCharsets.UTF_8);
            assertThat(ivsText).contains("#EXT-X-PART:").contains("#EXT-X-PREFETCH:");
            assertThat(hlsJsText).contains("#EXT-X-PART:").contains("#EXT-X-PREFETCH:");
            assertThat(startLines(ivsText)).hasSize(1);
            assertThat(startLines(hlsJsText)).isEmpty();
            // Otherwise the same playlist.
            assertThat(withoutTime(hlsJsText))
                    .isEqualTo(withoutTime(ivsText).replace(startLines(ivsText).get(0) + "\n", ""));
            assertThat(ivs.headers().get(HttpHeaderNames.VARY)).isEqualToIgnoringCase("Accept");
            assertThat(hlsJs.headers().get(HttpHeaderNames.VARY)).isEqualToIgnoringCase("Accept");
        } finally {
            ivs.release();
            hlsJs.release();
        }
        // Blocking reloads of both players woken by one part: one rendering of each text, however many answers.
        for (int i = 0; i < 3; i++) {
            answer(cache, "", prefetch, false, true).release();
            answer(cache, "", prefetch, false, false).release();
        }
        assertThat(cache.renders()).isEqualTo(2);

        // Without prefetch segments (no LOW channel) or once ended, there is one text, with no Vary.
        MediaPlaylistCache plain = new MediaPlaylistCache();
        for (boolean namesHls : new boolean[] {true, false}) {
            FullHttpResponse r = answer(plain, "", null, false, namesHls);
            assertThat(startLines(r.content().toString(StandardCharsets.UTF_8))).isEmpty();
            assertThat(r.headers().contains(HttpHeaderNames.VARY)).isFalse();
            r.release();
        }
        assertThat(plain.renders()).isOne();
    }

    @Test
    void anotherReportTargetDurationOrPrefetchRendersAgain() {
        LowLatency ll = lowLatency("");
        MediaPlaylist first =
                new MediaPlaylist(segmenter.segments(), segmenter.targetDurationSeconds(), true, "", ll, null, false);
        List<MediaPlaylist> changed = List.of(
                new MediaPlaylist(
                        segmenter.segments(),
                        segmenter.targetDurationSeconds(),
                        true,
                        "",
                        ll.withReports(List.of(new RenditionReport("480p30/live.m3u8", 1, 3))),
                        null,
                        false),
                new MediaPlaylist(
                        segmenter.segments(), segmenter.targetDurationSeconds() + 1, true, "", ll, null, false),
                new MediaPlaylist(
                        segmenter.segments(),
                        segmenter.targetDurationSeconds(),
                        true,
                        "",
                        ll,
                        segmenter.prefetch(),
                        false));
        cache.answer(first, true).release();
        // The same state made afresh, as each answer makes it: no rendering.
        cache.answer(
                        new MediaPlaylist(
                                segmenter.segments(),
                                segmenter.targetDurationSeconds(),
                                true,
                                "",
                                lowLatency(""),
                                null,
                                false),
                        true)
                .release();
        assertThat(cache.renders()).isOne();
        // Each change from the first state, and back: one rendering each.
        int renders = 1;
        for (MediaPlaylist p : changed) {
            cache.answer(p, true).release();
            assertThat(cache.renders()).isEqualTo(++renders);
            cache.answer(first, true).release();
            assertThat(cache.renders()).isEqualTo(++renders);
        }
    }

    private static List<String> startLines(String playlist) {
        return playlist.lines().filter(l -> l.startsWith("#EXT-X-START:")).toList();
    }

    private LowLatency lowLatency(String childQuery) {
        return lowLatency(segmenter, (sequence, index) -> sequence + "." + index + ".m4s" + childQuery)
                .withReports(REPORTS);
    }

    private String answer(String childQuery, boolean ended) {
        return answer(cache, childQuery, ended);
    }

    /** The playlist rendered for one answer alone, as each answer was before the cache. */
    private String rendered(String childQuery, boolean ended) {
        return answer(new MediaPlaylistCache(), childQuery, ended);
    }

    private String answer(MediaPlaylistCache from, String childQuery, boolean ended) {
        FullHttpResponse r = answer(from, childQuery, null, ended, true);
        try {
            return r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    private FullHttpResponse answer(
            MediaPlaylistCache from, String childQuery, Prefetch prefetch, boolean ended, boolean namesHlsType) {
        return from.answer(
                new MediaPlaylist(
                        segmenter.segments(),
                        segmenter.targetDurationSeconds(),
                        true,
                        childQuery,
                        lowLatency(childQuery),
                        prefetch,
                        ended),
                namesHlsType);
    }

    /** The playlist with its server-time line's bytes blanked. */
    private static String withoutTime(String playlist) {
        int at = PlaylistWriter.serverTimeLineAt(playlist);
        assertThat(at).as("a server-time line").isPositive();
        return playlist.substring(0, at) + playlist.substring(at + PlaylistWriter.SERVER_TIME_LINE_WIDTH);
    }
}
