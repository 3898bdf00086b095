package io.openivs.server.media.hls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.TestSources;
import io.openivs.server.media.flv.FlvFileReader;
import io.openivs.server.media.flv.FlvFileReader.Tag;
import io.openivs.server.media.flv.FlvToFrames;
import io.openivs.server.media.flv.TagResult;
import io.openivs.server.media.ts.TsSegmentWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole remux against the real ffmpeg: an x264 (with B-frames) + AAC FLV made by ffmpeg is
 * fed tag by tag through FlvToFrames, Segmenter and TsSegmentWriter, and ffprobe/ffmpeg must
 * read the resulting playlist and segments as a clean 10 s stream.
 */
class FlvToHlsFfmpegTest {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    private static final double SECONDS = 10.0;
    private static final long START_BEFORE_WRAP_MS = (1L << 32) - 5000;

    @TempDir
    static Path tmp;

    static List<Tag> source;

    @BeforeAll
    static void generateSource() throws Exception {
        Path flv = TestSources.x264AacFlv(tmp.resolve("source.flv"), WIDTH, HEIGHT, SECONDS);
        source = FlvFileReader.read(flv);
    }

    @Test
    void playlistOfRemuxedSegmentsDecodesAsTheSourceStream() throws Exception {
        Path out = Files.createDirectory(tmp.resolve("plain"));
        Hls hls = new Hls(out);
        hls.session(source);
        Path playlist = hls.finish();
        assertThat(hls.segments)
                .extracting(Segment::durationSeconds)
                .allSatisfy(d -> assertThat(d).isCloseTo(2.0, within(0.002)));

        String text = Files.readString(playlist);
        assertThat(text)
                .startsWith("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n")
                .contains("#EXT-X-MEDIA-SEQUENCE:0\n", "#EXT-X-PROGRAM-DATE-TIME:", "#EXTINF:2.000,\n")
                .doesNotContain("#EXT-X-DISCONTINUITY");
        assertThat(hls.segments).hasSize(5);

        assertStreams(playlist);
        assertThat(TestSources.decodedSeconds(playlist)).isCloseTo(SECONDS, within(0.2));
        assertThat(probedSeconds(playlist)).isCloseTo(SECONDS, within(0.2));

        String master = PlaylistWriter.master(
                List.of(Variant.measure("live.m3u8", null, hls.segments).orElseThrow()));
        assertThat(master)
                .contains("RESOLUTION=640x360,CODECS=\"avc1.4D401E,mp4a.40.2\",FRAME-RATE=30.000\nlive.m3u8\n");
        Files.writeString(out.resolve("master.m3u8"), master.replace("live.m3u8", "playlist.m3u8"));
        assertStreams(out.resolve("master.m3u8"));
    }

    @Test
    void anEncoderRepeatingParameterSetsAndDelimitersInBandDecodesWithoutBreaks() throws Exception {
        // x264 with repeat-headers and aud: SPS/PPS before every IDR and an AUD in every frame, as
        // some hardware encoders send them. The frames carry neither; the TS writer puts them back.
        Path flv = TestSources.x264AacFlv(
                tmp.resolve("inband.flv"),
                WIDTH,
                HEIGHT,
                SECONDS,
                "-preset",
                "ultrafast",
                "-bf",
                "2",
                "-x264-params",
                "aud=1:repeat-headers=1");
        Path out = Files.createDirectory(tmp.resolve("inband"));
        Hls hls = new Hls(out);
        hls.session(FlvFileReader.read(flv));
        Path playlist = hls.finish();

        assertThat(Files.readString(playlist)).doesNotContain("#EXT-X-DISCONTINUITY");
        assertThat(hls.segments).hasSize(5);
        assertStreams(playlist);
        assertThat(TestSources.decodedSeconds(playlist)).isCloseTo(SECONDS, within(0.2));
    }

    @Test
    void timestampsThatWrapAt32BitsStayContinuous() throws Exception {
        List<Tag> shifted = new ArrayList<>();
        for (Tag tag : source) {
            shifted.add(tag.withTimestamp((tag.timestamp() + START_BEFORE_WRAP_MS) & 0xFFFF_FFFFL));
        }
        assertThat(shifted).anyMatch(t -> t.timestamp() > 0xFFFF_0000L).anyMatch(t -> t.timestamp() < 1000);
        Path out = Files.createDirectory(tmp.resolve("wrap"));
        Hls hls = new Hls(out);
        hls.session(shifted);
        Path playlist = hls.finish();

        assertThat(Files.readString(playlist)).doesNotContain("#EXT-X-DISCONTINUITY");
        assertThat(hls.segments)
                .extracting(Segment::durationSeconds)
                .allSatisfy(d -> assertThat(d).isCloseTo(2.0, within(0.002)));
        assertStreams(playlist);
        assertThat(TestSources.decodedSeconds(playlist)).isCloseTo(SECONDS, within(0.2));
    }

    @Test
    void publisherReconnectIsMarkedAsDiscontinuityAndStillDecodes() throws Exception {
        // First session: up to 5 s. The encoder restarts and sends its headers again, then
        // resumes at the keyframe at 6 s with its clock back at zero.
        List<Tag> first = source.stream().filter(t -> t.timestamp() < 5000).toList();
        Tag resume = FlvFileReader.keyframeAtOrAfter(source, 5000);
        List<Tag> second = FlvFileReader.restartAt(source, resume);

        Path out = Files.createDirectory(tmp.resolve("reconnect"));
        Hls hls = new Hls(out);
        hls.session(first);
        hls.session(second);
        Path playlist = hls.finish();

        String text = Files.readString(playlist);
        assertThat(text.split("#EXT-X-DISCONTINUITY\n", -1)).hasSize(2);
        assertThat(hls.segments).filteredOn(Segment::discontinuity).hasSize(1);
        assertStreams(playlist);
        double expected = 5.0 + (SECONDS - resume.timestamp() / 1000.0);
        assertThat(hls.segments.stream().mapToDouble(Segment::durationSeconds).sum())
                .isCloseTo(expected, within(0.2));
        // The output timeline runs on across the reconnect, so players see no jump back.
        assertThat(TestSources.decodedSeconds(playlist)).isCloseTo(expected, within(0.2));
    }

    /** Drives the units the way the live stream owner will, writing what a viewer would fetch. */
    private static final class Hls {
        final Path dir;
        final List<Segment> segments = new ArrayList<>();
        final Segmenter segmenter;

        Hls(Path dir) {
            this.dir = dir;
            this.segmenter = new Segmenter(
                    SegmenterConfig.DEFAULT.withWindowSize(20),
                    new TsSegmentWriter(PooledByteBufAllocator.DEFAULT),
                    () -> 1_700_000_000_000L,
                    this::write);
        }

        void session(List<Tag> tags) {
            segmenter.onSessionStart();
            FlvToFrames demuxer = new FlvToFrames(PooledByteBufAllocator.DEFAULT, segmenter);
            for (Tag tag : tags) {
                ByteBuf body = Unpooled.wrappedBuffer(tag.body());
                TagResult result = demuxer.tag(tag.type(), tag.timestamp(), body);
                assertThat(result.status())
                        .as("tag at %d ms", tag.timestamp())
                        .isIn(TagResult.Status.ACCEPTED, TagResult.Status.IGNORED);
            }
            segmenter.onSessionEnd();
        }

        Path finish() throws IOException {
            Path playlist = dir.resolve("playlist.m3u8");
            Files.writeString(
                    playlist,
                    PlaylistWriter.media(
                            segmenter.segments(), segmenter.targetDurationSeconds(), seq -> "seg" + seq + ".ts", true));
            segmenter.close();
            return playlist;
        }

        private void write(Segment segment) {
            segments.add(segment);
            ByteBuf data = segment.retainedData();
            try (OutputStream os = Files.newOutputStream(dir.resolve("seg" + segment.sequence() + ".ts"))) {
                data.readBytes(os, data.readableBytes());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } finally {
                data.release();
            }
        }
    }

    private static void assertStreams(Path playlist) throws Exception {
        FfmpegTool.Result probe = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-show_entries",
                "stream=codec_type,codec_name,width,height",
                "-of",
                "compact",
                playlist.toString());
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(probe.stderr()).isEmpty();
        assertThat(probe.stdout())
                .contains("codec_name=h264|codec_type=video|width=" + WIDTH + "|height=" + HEIGHT)
                .contains("codec_name=aac|codec_type=audio");
    }

    private static double probedSeconds(Path playlist) throws Exception {
        FfmpegTool.Result r = FfmpegTool.ffprobe(
                "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", playlist.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return Double.parseDouble(r.stdout().trim());
    }
}
