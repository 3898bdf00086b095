package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.openivs.server.media.fmp4.Fmp4SegmentWriter;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.PlaylistWriter;
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

    private final Segmenter segmenter = new Segmenter(
            SegmenterConfig.DEFAULT,
            new Fmp4SegmentWriter(ByteBufAllocator.DEFAULT),
            () -> 1_700_000_000_000L,
            segment -> {});
    private final MediaPlaylistCache cache = new MediaPlaylistCache();

    @AfterEach
    void close() {
        segmenter.close();
    }

    @Test
    void answersOfOneStateShareOneRenderingAndDifferOnlyInTheirTime() throws Exception {
        segmenter.cutParts(Duration.ofMillis(334), () -> {});
        segmenter.onSessionStart();
        segmenter.onVideoConfig(SyntheticMedia.VIDEO);
        segmenter.onAudioConfig(SyntheticMedia.AUDIO);
        SyntheticMedia.feed(segmenter, 0, 75); // segment 0 finished at 2 s, parts of segment 1 since

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

    private LowLatency lowLatency(String childQuery) {
        return new LowLatency(
                        segmenter.partTargetTicks(),
                        (sequence, index) -> sequence + "." + index + ".m4s" + childQuery,
                        segmenter.partsInProgress(),
                        segmenter.nextSequence(),
                        segmenter.nextStartsDiscontinuity(),
                        segmenter.programDateTimeInProgress())
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
        FullHttpResponse r = from.answer(
                segmenter.segments(),
                segmenter.targetDurationSeconds(),
                true,
                childQuery,
                lowLatency(childQuery),
                null,
                ended);
        try {
            return r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    /** The playlist with its server-time line's bytes blanked. */
    private static String withoutTime(String playlist) {
        int at = PlaylistWriter.serverTimeLineAt(playlist);
        assertThat(at).as("a server-time line").isPositive();
        return playlist.substring(0, at) + playlist.substring(at + PlaylistWriter.SERVER_TIME_LINE_WIDTH);
    }
}
