package io.openivs.server.media.hls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlaylistWriterTest {

    private static final long T0 = 1_700_000_000_000L; // 2023-11-14T22:13:20Z

    private static Segment segment(
            long sequence, double seconds, boolean discontinuity, long discontinuitySequence, int bytes) {
        return Segment.builder(sequence, Math.round(seconds * 90_000), Unpooled.wrappedBuffer(new byte[bytes]))
                .discontinuity(discontinuity, discontinuitySequence)
                .programDateTime(T0 + sequence * 2000)
                .tracks(SegmenterTest.VIDEO, SegmenterTest.AUDIO)
                .build();
    }

    @Test
    void mediaPlaylistOfALiveWindow() {
        String text = PlaylistWriter.media(
                List.of(segment(7, 2.0, false, 0, 10), segment(8, 2.0021, false, 0, 10)),
                2,
                seq -> "seg" + seq + ".ts",
                false);
        assertThat(text).isEqualTo("""
                #EXTM3U
                #EXT-X-VERSION:3
                #EXT-X-TARGETDURATION:2
                #EXT-X-INDEPENDENT-SEGMENTS
                #EXT-X-MEDIA-SEQUENCE:7
                #EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:34.000Z
                #EXTINF:2.000,
                seg7.ts
                #EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:36.000Z
                #EXTINF:2.002,
                seg8.ts
                """);
    }

    @Test
    void discontinuitySequenceCountsTagsThatLeftTheWindow() {
        Segment s2 = segment(2, 1.0, true, 1, 10);
        Segment s3 = segment(3, 2.0, false, 1, 10);
        Segment s4 = segment(4, 2.0, true, 2, 10);
        String withTag = PlaylistWriter.media(List.of(s2, s3), 2, seq -> seq + ".ts", false);
        assertThat(withTag)
                .doesNotContain("DISCONTINUITY-SEQUENCE")
                .contains("#EXT-X-MEDIA-SEQUENCE:2\n#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME");
        String after = PlaylistWriter.media(List.of(s3, s4), 2, seq -> seq + ".ts", true);
        assertThat(after)
                .contains("#EXT-X-DISCONTINUITY-SEQUENCE:1\n")
                .contains("3.ts\n#EXT-X-DISCONTINUITY\n")
                .endsWith("4.ts\n#EXT-X-ENDLIST\n");
    }

    @Test
    void emptyWindowIsAValidPlaylist() {
        assertThat(PlaylistWriter.media(List.of(), 2, seq -> "x", false))
                .isEqualTo("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                        + "#EXT-X-MEDIA-SEQUENCE:0\n");
    }

    @Test
    void masterPlaylistMeasuresBandwidthFromTheSegments() {
        // 500 000 bytes over 2 s = 2 Mbit/s peak; 750 000 bytes over 4 s = 1.5 Mbit/s average.
        List<Segment> segments = List.of(segment(0, 2.0, false, 0, 250_000), segment(1, 2.0, false, 0, 500_000));
        Variant v = Variant.measure("720p/live.m3u8", "source", segments).orElseThrow();
        assertThat(v.bandwidth()).isEqualTo(2_000_000);
        assertThat(v.averageBandwidth()).isEqualTo(1_500_000);
        assertThat(PlaylistWriter.master(List.of(v))).isEqualTo("""
                #EXTM3U
                #EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="source",NAME="source",AUTOSELECT=YES,DEFAULT=YES
                #EXT-X-STREAM-INF:BANDWIDTH=2000000,AVERAGE-BANDWIDTH=1500000,RESOLUTION=854x480,\
                CODECS="avc1.42C01E,mp4a.40.2",VIDEO="source",FRAME-RATE=30.000
                720p/live.m3u8
                """);
        assertThat(Variant.measure("x", null, List.of())).isEqualTo(Optional.empty());
    }

    @Test
    void audioOnlyVariantTakesIvsShape() {
        // 40 000 bytes over 2 s = 160 kbit/s; the segments of an audio-only writer record no video.
        List<Segment> audio = List.of(Segment.builder(7, 180_000, Unpooled.wrappedBuffer(new byte[40_000]))
                .programDateTime(T0)
                .tracks(null, SegmenterTest.AUDIO)
                .build());
        Variant v = Variant.audioOnly("a/audio_only/live.m3u8?token=t", "audio_only", audio)
                .orElseThrow();
        assertThat(PlaylistWriter.master(List.of(v))).isEqualTo("""
                #EXTM3U
                #EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="audio_only",NAME="audio_only",AUTOSELECT=NO,DEFAULT=NO
                #EXT-X-STREAM-INF:BANDWIDTH=160000,CODECS="mp4a.40.2",VIDEO="audio_only"
                a/audio_only/live.m3u8?token=t
                """);
        assertThat(Variant.audioOnly("x", "audio_only", List.of())).isEmpty();
    }

    @Test
    void serverTimeIsAFixedWidthValueInTheMastersSecondLine() {
        assertThat(new String(PlaylistWriter.serverTime(1_765_040_000_007L), StandardCharsets.US_ASCII))
                .isEqualTo("1765040000.007");
        assertThat(new String(PlaylistWriter.serverTime(0), StandardCharsets.US_ASCII))
                .isEqualTo("0000000000.000");
        Variant v = new Variant("x/live.m3u8", null, 1000, 0, 0, 0, "mp4a.40.2", 0);
        String master = PlaylistWriter.master(List.of(v), 1_765_040_000_250L);
        assertThat(master)
                .startsWith("#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"SERVER-TIME\",VALUE=\"1765040000.250\"\n")
                .endsWith(PlaylistWriter.master(List.of(v)).substring("#EXTM3U\n".length()));
        assertThat(master.substring(
                        PlaylistWriter.SERVER_TIME_AT,
                        PlaylistWriter.SERVER_TIME_AT + PlaylistWriter.SERVER_TIME_WIDTH))
                .isEqualTo("1765040000.250");
    }

    /**
     * The IVS form of a media playlist's server time (what the IVS player on Safari reads through
     * WebKit's date-range cues): a timestamp-class date range whose ID changes with the time, that
     * ends at the next, among the header tags; one width for every time.
     */
    @Test
    void mediaPlaylistsTellTheServerTimeAsATimestampDateRange() {
        assertThat(new String(PlaylistWriter.serverTimeLine(1_765_040_000_250L), StandardCharsets.US_ASCII))
                .isEqualTo("#EXT-X-DATERANGE:ID=\"playlist-creation-1765040000250\",CLASS=\"timestamp\","
                        + "START-DATE=\"2025-12-06T16:53:20.250Z\",END-ON-NEXT=YES,X-SERVER-TIME=\"1765040000.250\"\n");
        assertThat(PlaylistWriter.serverTimeLine(1_999_999_999_999L)).hasSize(PlaylistWriter.SERVER_TIME_LINE_WIDTH);
        assertThat(PlaylistWriter.serverTimeLine(1_000_000_000_000L)).hasSize(PlaylistWriter.SERVER_TIME_LINE_WIDTH);

        List<Segment> window = List.of(segment(7, 2.0, false, 3, 1), segment(8, 2.0, true, 4, 1));
        String media = PlaylistWriter.withServerTimeLine(
                PlaylistWriter.media(window, 2, seq -> seq + ".ts", false), 1_765_040_004_100L);
        assertThat(media)
                .startsWith("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                        + "#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-DISCONTINUITY-SEQUENCE:3\n"
                        + "#EXT-X-DATERANGE:ID=\"playlist-creation-1765040004100\",CLASS=\"timestamp\","
                        + "START-DATE=\"2025-12-06T16:53:24.100Z\",END-ON-NEXT=YES,X-SERVER-TIME=\"1765040004.100\"\n"
                        + "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:34.000Z\n");
        assertThat(PlaylistWriter.serverTimeLineAt(media)).isEqualTo(media.indexOf("#EXT-X-DATERANGE:"));
        assertThat(PlaylistWriter.serverTimeLineAt(PlaylistWriter.media(window, 2, seq -> seq + ".ts", true)))
                .isEqualTo(-1);
    }
}
