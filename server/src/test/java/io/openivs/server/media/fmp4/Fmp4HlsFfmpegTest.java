package io.openivs.server.media.fmp4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.TestSources;
import io.openivs.server.media.flv.FlvFileReader;
import io.openivs.server.media.flv.FlvFileReader.Tag;
import io.openivs.server.media.hls.Segment;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
        assertThat(text)
                .startsWith("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n")
                .contains("#EXT-X-MAP:URI=\"init0.mp4\"\n", "#EXTINF:2.000,\nseg0.m4s\n")
                .doesNotContain("#EXT-X-DISCONTINUITY");
        assertThat(text.split("#EXT-X-MAP", -1)).hasSize(2);
        assertThat(hls.segments).hasSize(6);

        FfmpegTool.Result probe = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-show_entries",
                "stream=codec_type,codec_name,width,height,sample_rate,channels",
                "-of",
                "compact",
                playlist.toString());
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(probe.stderr()).isEmpty();
        assertThat(probe.stdout())
                .contains("codec_name=h264|codec_type=video|width=" + WIDTH + "|height=" + HEIGHT)
                .contains("codec_name=aac|codec_type=audio|sample_rate=48000|channels=1");

        assertThat(TestSources.decodedSeconds(playlist)).isCloseTo(SECONDS, within(1.5 / 30));

        FfmpegTool.Result duration = FfmpegTool.ffprobe(
                "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", playlist.toString());
        assertThat(Double.parseDouble(duration.stdout().trim())).isCloseTo(SECONDS, within(0.1));
    }

    @Test
    void anEncoderRepeatingParameterSetsInBandGivesSamplesWithoutThemAndOneInitSegment() throws Exception {
        // x264 with repeat-headers and aud: SPS/PPS before every IDR, an AUD in every frame.
        Path inBand = TestSources.x264AacFlv(
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
        Fmp4Hls repeated = new Fmp4Hls(Files.createDirectory(tmp.resolve("inband")));
        repeated.session(FlvFileReader.read(inBand));
        Path repeatedPlaylist = repeated.finish();
        String text = Files.readString(repeatedPlaylist);
        assertThat(text.split("#EXT-X-MAP", -1))
                .as("repeats change no configuration")
                .hasSize(2);
        assertThat(text).doesNotContain("#EXT-X-DISCONTINUITY");
        // Every sample is length-prefixed NAL units with neither delimiter nor parameter set.
        int nalUnits = 0;
        for (Segment segment : repeated.segments) {
            byte[] bytes = Files.readAllBytes(repeated.segmentFile(segment));
            for (Mp4Boxes moof : Mp4Boxes.parse(bytes).stream()
                    .filter(b -> b.type().equals("moof"))
                    .toList()) {
                Mp4Boxes trun = moof.all("traf").get(0).child("trun"); // video's traf comes first
                int at = moof.start() + trun.i32(8);
                int end = at;
                for (int k = 0; k < trun.i32(4); k++) {
                    end += trun.i32(12 + 16 * k + 4);
                }
                for (int i = at; i < end; ) {
                    int type = bytes[i + 4] & 0x1F;
                    assertThat(type)
                            .as("NAL unit type in %s", segment.sequence())
                            .isNotIn(7, 8, 9);
                    i += 4 + ByteBuffer.wrap(bytes, i, 4).getInt();
                    nalUnits++;
                }
            }
        }
        assertThat(nalUnits).isGreaterThan((int) (SECONDS * 30) - 2);
        assertThat(TestSources.decodedSeconds(repeatedPlaylist)).isCloseTo(SECONDS, within(1.5 / 30));
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
            assertThat(out.get(i)[0] - outStart)
                    .as("pts of packet %d", i)
                    .isCloseTo(in.get(i)[0] - inStart, within(1e-4));
            assertThat(out.get(i)[1] - outStart)
                    .as("dts of packet %d", i)
                    .isCloseTo(in.get(i)[1] - inStart, within(1e-4));
            reordered |= i > 0 && out.get(i)[0] < out.get(i - 1)[0];
        }
        assertThat(reordered)
                .as("the source has B-frames shown before the frame decoded ahead of them")
                .isTrue();
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
        assertThat(traks.get(0).child("mdia", "mdhd").u32(12))
                .as("video timescale")
                .isEqualTo(90_000);
        assertThat(traks.get(1).child("mdia", "minf", "stbl", "stsd", "mp4a").all("esds"))
                .hasSize(1);
        assertThat(traks.get(1).child("mdia", "mdhd").u32(12))
                .as("audio timescale")
                .isEqualTo(48_000);
        assertThat(moov.child("mvex").all("trex")).hasSize(2);

        assertThat(assertFragments(hls)).as("fragments per segment").containsOnly(1);
    }

    @Test
    void partsCutInsideSegmentsAreTheSegmentsBytesAndDecode() throws Exception {
        Fmp4Hls parted = new Fmp4Hls(Files.createDirectory(tmp.resolve("parts")), 10, false); // 1/3 s at 30 fps
        parted.session(source);
        Path partedPlaylist = parted.finish();
        assertThat(assertFragments(parted)).as("fragments per segment").containsOnly(6);
        for (int s = 0; s < parted.segments.size(); s++) {
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (byte[] part : parted.parts.get(s)) {
                joined.write(part);
            }
            assertThat(joined.toByteArray())
                    .as("parts of segment %d", s)
                    .isEqualTo(Files.readAllBytes(parted.segmentFile(parted.segments.get(s))));
        }
        assertThat(TestSources.decodedSeconds(partedPlaylist)).isCloseTo(SECONDS, within(1.5 / 30));
        List<double[]> whole = videoPackets(playlist);
        List<double[]> cut = videoPackets(partedPlaylist);
        assertThat(cut).hasSameSizeAs(whole);
        for (int i = 0; i < whole.size(); i++) {
            assertThat(cut.get(i)).as("packet %d", i).containsExactly(whole.get(i));
        }
    }

    /**
     * Live LL streams close a CMAF chunk per video frame inside each part: a part is its chunks
     * byte for byte (the last one closed with the part), every chunk is a moof/mdat with one video
     * frame, video durations inside a segment meet the next tfdt exactly, and the stream decodes
     * to the same packets as one fragment per segment.
     */
    @Test
    void chunksInsidePartsAreThePartsBytesAndDecode() throws Exception {
        Fmp4Hls chunked = new Fmp4Hls(Files.createDirectory(tmp.resolve("chunks")), 10, true);
        chunked.session(source);
        Path chunkedPlaylist = chunked.finish();
        List<Integer> fragments = assertFragments(chunked);
        for (int s = 0; s < chunked.segments.size(); s++) {
            long videoFrames = chunked.frames.get(s).stream()
                    .filter(Fmp4Hls.Written::video)
                    .count();
            assertThat(fragments.get(s)).as("fragments of segment %d", s).isEqualTo((int) videoFrames);
            List<byte[]> parts = chunked.parts.get(s);
            for (int p = 0; p < parts.size(); p++) {
                ByteArrayOutputStream joined = new ByteArrayOutputStream();
                for (byte[] chunk : chunked.chunks.get(s).get(p)) {
                    joined.write(chunk);
                }
                byte[] streamed = joined.toByteArray();
                // Chunks are handed out as the part grows; only the segment's last part ends without
                // a next frame, its last chunk closed with it.
                assertThat(Arrays.copyOf(parts.get(p), streamed.length))
                        .as("part %d.%d starts with its chunks", s, p)
                        .isEqualTo(streamed);
                List<Mp4Boxes> tail =
                        Mp4Boxes.parse(Arrays.copyOfRange(parts.get(p), streamed.length, parts.get(p).length));
                if (p < parts.size() - 1) {
                    assertThat(tail).as("part %d.%d after its chunks", s, p).isEmpty();
                } else {
                    assertThat(tail).extracting(Mp4Boxes::type).containsExactly("moof", "mdat");
                }
            }
            List<Mp4Boxes> boxes = Mp4Boxes.parse(Files.readAllBytes(chunked.segmentFile(chunked.segments.get(s))));
            long next = -1;
            for (int f = 0; f < boxes.size(); f += 2) {
                Mp4Boxes video = boxes.get(f).all("traf").get(0);
                assertThat(video.child("tfhd").i32(4)).isEqualTo(1);
                long tfdt = video.child("tfdt").i64(4);
                if (next >= 0) {
                    assertThat(tfdt)
                            .as("video tfdt of chunk %d of segment %d", f / 2, s)
                            .isEqualTo(next);
                }
                assertThat(video.child("trun").i32(4)).as("frames in a chunk").isEqualTo(1);
                next = tfdt + video.child("trun").u32(12);
            }
        }
        long chunkedBytes = 0;
        long wholeBytes = 0;
        long videoFrames = 0;
        for (int s = 0; s < chunked.segments.size(); s++) {
            chunkedBytes += chunked.segments.get(s).size();
            wholeBytes += hls.segments.get(s).size();
            videoFrames += chunked.frames.get(s).stream()
                    .filter(Fmp4Hls.Written::video)
                    .count();
        }
        System.out.printf(
                "CMAF chunk per frame: %d bytes vs %d in one fragment per segment, %.0f bytes more per frame%n",
                chunkedBytes, wholeBytes, (chunkedBytes - wholeBytes) / (double) videoFrames);
        assertThat(chunked.segments).hasSameSizeAs(hls.segments);
        assertThat(TestSources.decodedSeconds(chunkedPlaylist)).isCloseTo(SECONDS, within(1.5 / 30));
        List<double[]> whole = videoPackets(playlist);
        List<double[]> cut = videoPackets(chunkedPlaylist);
        assertThat(cut).hasSameSizeAs(whole);
        for (int i = 0; i < whole.size(); i++) {
            assertThat(cut.get(i)).as("packet %d", i).containsExactly(whole.get(i));
        }
    }

    @Test
    void publisherReconnectGetsADiscontinuityAndANewInitSegment() throws Exception {
        // The encoder restarts after 5 s, sends its headers again and resumes at the keyframe at
        // 6 s with its clock back at zero.
        Tag resume = FlvFileReader.keyframeAtOrAfter(source, 6000);
        List<Tag> second = FlvFileReader.restartAt(source, resume);
        Fmp4Hls joined = new Fmp4Hls(Files.createDirectory(tmp.resolve("reconnect")));
        joined.session(source.stream().filter(t -> t.timestamp() < 5000).toList());
        joined.session(second);
        Path joinedPlaylist = joined.finish();

        String text = Files.readString(joinedPlaylist);
        assertThat(text).contains("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init1.mp4\"\n");
        assertThat(text.split("#EXT-X-MAP", -1)).hasSize(3);
        double expected = 5.0 + (SECONDS - resume.timestamp() / 1000.0);
        assertThat(TestSources.decodedSeconds(joinedPlaylist)).isCloseTo(expected, within(0.1));
    }

    @Test
    void singleTrackStreamsGetASingleTrackInitSegmentAndDecode() throws Exception {
        for (String drop : List.of("-an", "-vn")) {
            Path dir = Files.createDirectory(tmp.resolve("single" + drop));
            Path flvOnly = dir.resolve("source.flv");
            FfmpegTool.Result copy =
                    FfmpegTool.ffmpeg("-v", "error", "-i", flv.toString(), "-c", "copy", drop, flvOnly.toString());
            assertThat(copy.exitCode()).as(copy.stderr()).isZero();
            Fmp4Hls single = new Fmp4Hls(dir);
            single.session(FlvFileReader.read(flvOnly));
            Path singlePlaylist = single.finish();

            List<Mp4Boxes> init = Mp4Boxes.parse(Files.readAllBytes(dir.resolve("init0.mp4")));
            assertThat(init.get(1).all("trak")).hasSize(1);
            FfmpegTool.Result probe = FfmpegTool.ffprobe(
                    "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", singlePlaylist.toString());
            // HLS lists each stream under its program too.
            assertThat(probe.stdout().lines().filter(l -> !l.isBlank()).distinct())
                    .containsExactly(drop.equals("-an") ? "h264" : "aac");
            // Audio only starts once a target duration has passed without video.
            double expected = drop.equals("-an") ? SECONDS : SECONDS - 2;
            assertThat(TestSources.decodedSeconds(singlePlaylist)).as(drop).isCloseTo(expected, within(0.1));
        }
    }

    @Test
    void highProfileStreamRemuxesWithItsAvcCExtension() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("high"));
        Path highFlv = TestSources.x264AacFlv(
                dir.resolve("source.flv"), 320, 180, 4, "-preset", "veryfast", "-profile:v", "high", "-bf", "3");
        Fmp4Hls high = new Fmp4Hls(dir);
        high.session(FlvFileReader.read(highFlv));
        Path highPlaylist = high.finish();

        Mp4Boxes avcC = Mp4Boxes.parse(Files.readAllBytes(dir.resolve("init0.mp4")))
                .get(1)
                .all("trak")
                .get(0)
                .child("mdia", "minf", "stbl", "stsd", "avc1", "avcC");
        assertThat(avcC.u8(1)).as("profile_idc").isEqualTo(100);
        int spsLength = avcC.u8(6) << 8 | avcC.u8(7);
        int ppsLength = avcC.u8(9 + spsLength) << 8 | avcC.u8(10 + spsLength);
        int extension = 11 + spsLength + ppsLength;
        assertThat(avcC.size() - avcC.headerSize())
                .as("record with the High profile fields")
                .isEqualTo(extension + 4);
        assertThat(avcC.u8(extension) & 3).as("chroma_format_idc 4:2:0").isEqualTo(1);

        FfmpegTool.Result probe = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-select_streams",
                "v",
                "-show_entries",
                "stream=profile",
                "-of",
                "csv=p=0",
                highPlaylist.toString());
        assertThat(probe.stdout().lines().filter(l -> !l.isBlank()).distinct()).containsExactly("High");
        assertThat(TestSources.decodedSeconds(highPlaylist)).isCloseTo(4.0, within(1.5 / 30));
        assertThat(videoPackets(highPlaylist)).hasSameSizeAs(videoPackets(highFlv));
    }

    /**
     * Walks every moof/mdat pair of every segment: box sizes tile the file, fragment sequence
     * numbers count up, each trun lists exactly the frames the writer was given with their
     * flags and composition offsets, runs fill their mdat, and each track's tfdt picks up where
     * the previous fragment ended.
     *
     * @return the number of fragments in each segment
     */
    private static List<Integer> assertFragments(Fmp4Hls hls) throws Exception {
        List<Integer> fragments = new ArrayList<>();
        long sequence = 0;
        long[] nextDecodeTime = {-1, -1};
        for (int s = 0; s < hls.segments.size(); s++) {
            List<Mp4Boxes> boxes = Mp4Boxes.parse(Files.readAllBytes(hls.segmentFile(hls.segments.get(s))));
            assertThat(boxes.size() % 2).isZero();
            List<List<Fmp4Hls.Written>> trackFrames = List.of(
                    hls.frames.get(s).stream().filter(Fmp4Hls.Written::video).toList(),
                    hls.frames.get(s).stream().filter(w -> !w.video()).toList());
            int[] used = {0, 0};
            for (int f = 0; f < boxes.size(); f += 2) {
                Mp4Boxes moof = boxes.get(f);
                Mp4Boxes mdat = boxes.get(f + 1);
                assertThat(List.of(moof.type(), mdat.type())).containsExactly("moof", "mdat");
                assertThat(moof.child("mfhd").u32(4))
                        .as("fragment sequence number")
                        .isEqualTo(++sequence);
                int dataEnd = mdat.body();
                for (Mp4Boxes traf : moof.all("traf")) {
                    int t = traf.child("tfhd").i32(4) - 1;
                    boolean video = t == 0;
                    long decodeTime = traf.child("tfdt").i64(4);
                    Mp4Boxes trun = traf.child("trun");
                    int samples = trun.i32(4);
                    assertThat(moof.start() + trun.i32(8))
                            .as("run starts where the last ended")
                            .isEqualTo(dataEnd);
                    int stride = video ? 16 : 8;
                    long duration = 0;
                    for (int i = 0; i < samples; i++) {
                        duration += trun.u32(12 + i * stride);
                        dataEnd += trun.i32(16 + i * stride);
                        if (video) {
                            Fmp4Hls.Written frame = trackFrames.get(t).get(used[t] + i);
                            boolean sync = trun.i32(20 + i * stride) == SampleFlags.SYNC;
                            assertThat(sync).as("sync flag of frame %d", i).isEqualTo(frame.keyframe());
                            assertThat(trun.i32(24 + i * stride))
                                    .as("composition offset")
                                    .isEqualTo(frame.pts() - frame.dts());
                        }
                    }
                    if (video) {
                        assertThat(trun.u8(0))
                                .as("trun version with signed offsets")
                                .isEqualTo(1);
                        assertThat(decodeTime)
                                .isEqualTo(trackFrames.get(t).get(used[t]).dts());
                        // The last frame's duration repeats the one before: off by at most the millisecond rounding.
                        if (nextDecodeTime[t] >= 0) {
                            assertThat(decodeTime).as("video tfdt").isCloseTo(nextDecodeTime[t], within(90L));
                        }
                    } else if (nextDecodeTime[t] >= 0) {
                        assertThat(decodeTime).as("audio tfdt").isEqualTo(nextDecodeTime[t]);
                    }
                    nextDecodeTime[t] = decodeTime + duration;
                    used[t] += samples;
                }
                assertThat(dataEnd).as("runs fill the mdat").isEqualTo(mdat.start() + mdat.size());
            }
            for (int t = 0; t < 2; t++) {
                assertThat(used[t])
                        .as("samples of track %d in segment %d", t + 1, s)
                        .isEqualTo(trackFrames.get(t).size());
            }
            Mp4Boxes firstVideo = boxes.get(0).all("traf").get(0);
            assertThat(firstVideo.child("tfhd").i32(4)).isEqualTo(1);
            assertThat(firstVideo.child("trun").i32(20))
                    .as("segment starts on a keyframe")
                    .isEqualTo(SampleFlags.SYNC);
            fragments.add(boxes.size() / 2);
        }
        return fragments;
    }

    /** pts and dts in seconds of every video packet, in decode order. */
    private static List<double[]> videoPackets(Path input) throws Exception {
        FfmpegTool.Result r = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "packet=pts_time,dts_time",
                "-of",
                "csv=p=0",
                input.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.stdout()
                .lines()
                .filter(l -> !l.isBlank())
                .map(l -> {
                    String[] f = l.split(",");
                    return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])};
                })
                .toList();
    }
}
