package io.openivs.server.media.fmp4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.TestSources;
import io.openivs.server.media.flv.FlvFileReader;
import io.openivs.server.media.flv.FlvFileReader.Tag;
import io.openivs.server.media.hls.Segment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fMP4 remux against the real ffmpeg: an x264 (with B-frames) + AAC FLV made by ffmpeg goes
 * through FlvToFrames, Segmenter and Fmp4SegmentWriter, and ffprobe/ffmpeg must read the
 * playlist, init segment and m4s segments as the source stream, frame for frame.
 */
class Fmp4HlsFfmpegTest {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    private static final double SECONDS = 12.0;

    @TempDir
    static Path tmp;
    static Path flv;
    static List<Tag> source;
    static Fmp4Hls hls;
    static Path playlist;

    @BeforeAll
    static void remuxSource() throws Exception {
        flv = TestSources.x264AacFlv(tmp.resolve("source.flv"), WIDTH, HEIGHT, SECONDS);
        source = FlvFileReader.read(flv);
        hls = new Fmp4Hls(Files.createDirectory(tmp.resolve("hls")));
        hls.session(source);
        playlist = hls.finish();
    }

    @Test
    void playlistOfFmp4SegmentsDecodesAsTheSourceStream() throws Exception {
        String text = Files.readString(playlist);
        assertThat(text).startsWith("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n")
                .contains("#EXT-X-MAP:URI=\"init0.mp4\"\n", "#EXTINF:2.000,\nseg0.m4s\n")
                .doesNotContain("#EXT-X-DISCONTINUITY");
        assertThat(text.split("#EXT-X-MAP", -1)).hasSize(2);
        assertThat(hls.segments).hasSize(6);

        FfmpegTool.Result probe = FfmpegTool.ffprobe("-v", "error", "-show_entries",
                "stream=codec_type,codec_name,width,height,sample_rate,channels", "-of", "compact", playlist.toString());
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(probe.stderr()).isEmpty();
        assertThat(probe.stdout()).contains("codec_name=h264|codec_type=video|width=" + WIDTH + "|height=" + HEIGHT)
                .contains("codec_name=aac|codec_type=audio|sample_rate=48000|channels=1");

        assertThat(TestSources.decodedSeconds(playlist)).isCloseTo(SECONDS, within(1.5 / 30));

        FfmpegTool.Result duration = FfmpegTool.ffprobe("-v", "error", "-show_entries", "format=duration",
                "-of", "default=nw=1:nk=1", playlist.toString());
        assertThat(Double.parseDouble(duration.stdout().trim())).isCloseTo(SECONDS, within(0.1));
    }

    @Test
    void bFramesKeepTheSourcePresentationAndDecodeTimes() throws Exception {
        List<double[]> in = videoPackets(flv);
        List<double[]> out = videoPackets(playlist);
        assertThat(out).hasSameSizeAs(in);
        assertThat(in).hasSizeGreaterThan((int) (SECONDS * 30) - 2);
        double inStart = in.get(0)[1];
        double outStart = out.get(0)[1];
        boolean reordered = false;
        for (int i = 0; i < in.size(); i++) {
            // The FLV has millisecond times, the fMP4 the same times on a 90 kHz clock.
            assertThat(out.get(i)[0] - outStart).as("pts of packet %d", i).isCloseTo(in.get(i)[0] - inStart, within(1e-4));
            assertThat(out.get(i)[1] - outStart).as("dts of packet %d", i).isCloseTo(in.get(i)[1] - inStart, within(1e-4));
            reordered |= i > 0 && out.get(i)[0] < out.get(i - 1)[0];
        }
        assertThat(reordered).as("the source has B-frames shown before the frame decoded ahead of them").isTrue();
    }

    @Test
    void boxesAreConsistentAndTimesRunOnAcrossSegments() throws Exception {
        List<Mp4Boxes> init = Mp4Boxes.parse(Files.readAllBytes(hls.dir.resolve("init0.mp4")));
        assertThat(init).extracting(Mp4Boxes::type).containsExactly("ftyp", "moov");
        Mp4Boxes moov = init.get(1);
        List<Mp4Boxes> traks = moov.all("trak");
        assertThat(traks).hasSize(2);
        Mp4Boxes avc1 = traks.get(0).child("mdia", "minf", "stbl", "stsd", "avc1");
        assertThat(avc1.child("avcC").u8(4) & 3).as("4-byte NAL lengths").isEqualTo(3);
        assertThat(traks.get(0).child("mdia", "mdhd").u32(12)).as("video timescale").isEqualTo(90_000);
        assertThat(traks.get(1).child("mdia", "minf", "stbl", "stsd", "mp4a").all("esds")).hasSize(1);
        assertThat(traks.get(1).child("mdia", "mdhd").u32(12)).as("audio timescale").isEqualTo(48_000);
        assertThat(moov.child("mvex").all("trex")).hasSize(2);

        long sequence = 0;
        long[] nextDecodeTime = {-1, -1};
        for (int s = 0; s < hls.segments.size(); s++) {
            Segment segment = hls.segments.get(s);
            List<Mp4Boxes> boxes = Mp4Boxes.parse(Files.readAllBytes(hls.segmentFile(segment)));
            assertThat(boxes).extracting(Mp4Boxes::type).containsExactly("moof", "mdat");
            Mp4Boxes moof = boxes.get(0);
            Mp4Boxes mdat = boxes.get(1);
            assertThat(moof.child("mfhd").u32(4)).as("fragment sequence number").isEqualTo(++sequence);
            List<Fmp4Hls.Written> written = hls.frames.get(s);
            List<Mp4Boxes> trafs = moof.all("traf");
            assertThat(trafs).hasSize(2);
            int dataEnd = mdat.body();
            for (int t = 0; t < 2; t++) {
                boolean video = t == 0;
                Mp4Boxes traf = trafs.get(t);
                assertThat(traf.child("tfhd").i32(4)).as("track id").isEqualTo(t + 1);
                long decodeTime = traf.child("tfdt").i64(4);
                Mp4Boxes trun = traf.child("trun");
                int samples = trun.i32(4);
                List<Fmp4Hls.Written> trackFrames = written.stream().filter(w -> w.video() == video).toList();
                assertThat(samples).as("samples of track %d in segment %d", t + 1, s).isEqualTo(trackFrames.size());
                int dataOffset = trun.i32(8);
                assertThat(moof.start() + dataOffset).as("run starts where the last ended").isEqualTo(dataEnd);
                int stride = video ? 16 : 8;
                long duration = 0;
                for (int i = 0; i < samples; i++) {
                    duration += trun.u32(12 + i * stride);
                    dataEnd += trun.i32(16 + i * stride);
                    if (video) {
                        Fmp4Hls.Written frame = trackFrames.get(i);
                        boolean sync = trun.i32(20 + i * stride) == SampleFlags.SYNC;
                        assertThat(sync).as("sync flag of frame %d", i).isEqualTo(frame.keyframe());
                        assertThat(trun.i32(24 + i * stride)).as("composition offset").isEqualTo(frame.pts() - frame.dts());
                    }
                }
                if (video) {
                    assertThat(trun.u8(0)).as("trun version with signed offsets").isEqualTo(1);
                    assertThat(decodeTime).isEqualTo(trackFrames.get(0).dts());
                    // The last frame's duration repeats the one before: off by at most the millisecond rounding.
                    if (nextDecodeTime[t] >= 0) {
                        assertThat(decodeTime).as("video tfdt of segment %d", s).isCloseTo(nextDecodeTime[t], within(90L));
                    }
                } else if (nextDecodeTime[t] >= 0) {
                    assertThat(decodeTime).as("audio tfdt of segment %d", s).isEqualTo(nextDecodeTime[t]);
                }
                nextDecodeTime[t] = decodeTime + duration;
            }
            assertThat(dataEnd).as("runs fill the mdat").isEqualTo(mdat.start() + mdat.size());
        }
    }

    /** pts and dts in seconds of every video packet, in decode order. */
    private static List<double[]> videoPackets(Path input) throws Exception {
        FfmpegTool.Result r = FfmpegTool.ffprobe("-v", "error", "-select_streams", "v:0", "-show_entries",
                "packet=pts_time,dts_time", "-of", "csv=p=0", input.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.stdout().lines().filter(l -> !l.isBlank()).map(l -> {
            String[] f = l.split(",");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])};
        }).toList();
    }
}
