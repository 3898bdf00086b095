package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What an edge writes into the bare playlists an owner relays: each viewer's own ticket, where the owner would. */
class EdgePlaylistsTest {
    private static final String LL = """
            #EXTM3U
            #EXT-X-TARGETDURATION:2
            #EXT-X-MAP:URI="init-0.mp4"
            #EXTINF:2.000,
            7.m4s
            #EXT-X-PART:DURATION=0.33333,URI="8.0.m4s",INDEPENDENT=YES
            #EXT-X-PRELOAD-HINT:TYPE=PART,URI="8.1.m4s"
            #EXT-X-RENDITION-REPORT:URI="audio_only/live.m3u8",LAST-MSN=8,LAST-PART=0
            """;

    @Test
    void childUrisGetTheChildQueryAndPlaylistUrisThePlaylistQuery() {
        assertThat(EdgePlaylists.withQueries(LL, "?ticket=c", "?ticket=p")).isEqualTo("""
                        #EXTM3U
                        #EXT-X-TARGETDURATION:2
                        #EXT-X-MAP:URI="init-0.mp4?ticket=c"
                        #EXTINF:2.000,
                        7.m4s?ticket=c
                        #EXT-X-PART:DURATION=0.33333,URI="8.0.m4s?ticket=c",INDEPENDENT=YES
                        #EXT-X-PRELOAD-HINT:TYPE=PART,URI="8.1.m4s?ticket=c"
                        #EXT-X-RENDITION-REPORT:URI="audio_only/live.m3u8?ticket=p",LAST-MSN=8,LAST-PART=0
                        """);
    }

    @Test
    void prefetchAndMasterLinesAndPublicViewers() {
        assertThat(EdgePlaylists.withQueries("#EXTINF:2.0,\n5.ts\n#EXT-X-PREFETCH:6.ts\n", "?ticket=c", "?ticket=c"))
                .isEqualTo("#EXTINF:2.0,\n5.ts?ticket=c\n#EXT-X-PREFETCH:6.ts?ticket=c\n");
        assertThat(EdgePlaylists.withQueries("#EXT-X-STREAM-INF:BANDWIDTH=1\nx/live.m3u8", "?ticket=m", "?ticket=m"))
                .isEqualTo("#EXT-X-STREAM-INF:BANDWIDTH=1\nx/live.m3u8?ticket=m");
        assertThat(EdgePlaylists.withQueries(LL, "", "")).isSameAs(LL);
    }

    @Test
    void onlyBlockingReloadParametersGoUpstream() {
        assertThat(EdgeRelay.hlsQuery("?token=abc&_HLS_msn=12&_HLS_part=2")).isEqualTo("?_HLS_msn=12&_HLS_part=2");
        assertThat(EdgeRelay.hlsQuery("?_HLS_msn=12")).isEqualTo("?_HLS_msn=12");
        assertThat(EdgeRelay.hlsQuery("?ticket=x")).isEmpty();
        assertThat(EdgeRelay.hlsQuery("")).isEmpty();
    }

    @Test
    void theSecretIsComparedWhole() {
        assertThat(EdgeRelay.authentic("s3cret", "s3cret")).isTrue();
        assertThat(EdgeRelay.authentic("s3cret", "s3cre")).isFalse();
        assertThat(EdgeRelay.authentic("s3cret", null)).isFalse();
        assertThat(EdgeRelay.authentic(null, "s3cret")).isFalse();
    }
}
