package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Transcoded renditions' files under {name}/{rung}/. */
class RungPathTest {
    private static final String NAME = "us-west-2.123456789012.channel.abcdEFGH1234";
    private static final String BASE = PlaybackPath.PREFIX + NAME;

    @Test
    void rungDirectoriesNameTheirFiles() {
        PlaybackPath media = PlaybackPath.parse(BASE + "/480p30/live.m3u8");
        assertThat(media).isEqualTo(new PlaybackPath(PlaybackPath.Kind.MEDIA, NAME, -1, -1, false, false, "480p30"));
        PlaybackPath segment = PlaybackPath.parse(BASE + "/160p30/1765000000.ts");
        assertThat(segment.kind()).isEqualTo(PlaybackPath.Kind.SEGMENT);
        assertThat(segment.rendition()).isEqualTo("160p30");
        assertThat(segment.sequence()).isEqualTo(1765000000L);
        assertThat(PlaybackPath.parse(BASE + "/720p60/init-0.mp4").rendition()).isEqualTo("720p60");
        assertThat(PlaybackPath.parse(BASE + "/720p60/12.3.m4s").part()).isEqualTo(3);
    }

    @Test
    void theMainAndAudioOnlyRenditionsAreUnchanged() {
        assertThat(PlaybackPath.parse(BASE + "/live.m3u8").rendition()).isNull();
        assertThat(PlaybackPath.parse(BASE + "/12.ts").rendition()).isNull();
        PlaybackPath audio = PlaybackPath.parse(BASE + "/audio_only/live.m3u8");
        assertThat(audio.audioOnly()).isTrue();
        assertThat(audio.rendition()).isNull();
    }

    @Test
    void anythingElseNamesNothing() {
        for (String bad : new String[] {
            "/p30/live.m3u8",
            "/480p/live.m3u8",
            "/4p30/live.m3u8",
            "/48000p30/live.m3u8",
            "/480p3000/live.m3u8",
            "/480p30",
            "/480p30/",
            "/480p30/480p30/live.m3u8",
            "/480x30/live.m3u8",
            "/480p30/live.m3u"
        }) {
            assertThat(PlaybackPath.parse(BASE + bad)).as(bad).isNull();
        }
    }
}
