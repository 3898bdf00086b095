package io.openivs.server.media.ts.demux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.h264.NalUnitType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Demuxes MPEG-TS written by the real ffmpeg and checks the frames against what ffprobe reads. */
public class TsDemuxerTest {

    @TempDir
    static Path dir;

    static byte[] ts;
    static byte[] wrapped;

    @BeforeAll
    static void encode() throws Exception {
        ts = Files.readAllBytes(tsFile(dir.resolve("a.ts"), "0"));
        // Starts 2 s before the 33-bit PTS wrap (2^33 / 90 kHz = 95443.7 s), so it crosses it.
        wrapped = Files.readAllBytes(tsFile(dir.resolve("wrap.ts"), "95441.7"));
    }

    static Path tsFile(Path file, String offset) throws Exception {
        return tsFile(file, offset, 4);
    }

    /** {@code seconds} of 320x240 30 fps x264 (B-frames, a keyframe a second) and 48 kHz stereo AAC as MPEG-TS. */
    public static Path tsFile(Path file, String offset, int seconds) throws Exception {
        FfmpegTool.Result r = FfmpegTool.ffmpeg(
                "-hide_banner",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x240:rate=30",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:sample_rate=48000",
                "-t",
                String.valueOf(seconds),
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-bf",
                "2",
                "-g",
                "30",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-ac",
                "2",
                "-output_ts_offset",
                offset,
                "-f",
                "mpegts",
                file.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return file;
    }

    @Test
    void framesConfigsAndTimestampsMatchFfprobe() throws Exception {
        Recorder rec = demux(ts, 1316);
        FfmpegTool.Result probe = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-count_packets",
                "-show_entries",
                "stream=codec_name,width,height,sample_rate,channels,nb_read_packets",
                "-of",
                "csv=p=0",
                dir.resolve("a.ts").toString());
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        String[] lines = probe.stdout().trim().split("\n");
        // h264,320,240,<packets> and aac,48000,2,<packets>
        String[] v = lines[0].split(",");
        String[] a = lines[1].split(",");
        assertThat(v[0]).isEqualTo("h264");
        assertThat(a[0]).isEqualTo("aac");
        assertThat(rec.video.size()).isEqualTo(Integer.parseInt(v[3]));
        assertThat(rec.audio.size()).isEqualTo(Integer.parseInt(a[3]));
        assertThat(rec.videoConfigs).hasSize(1);
        VideoConfig vc = rec.videoConfigs.get(0);
        assertThat(vc.width()).isEqualTo(Integer.parseInt(v[1]));
        assertThat(vc.height()).isEqualTo(Integer.parseInt(v[2]));
        assertThat(vc.frameRate()).isEqualTo(30.0);
        assertThat(rec.audioConfigs).hasSize(1);
        AudioConfig ac = rec.audioConfigs.get(0);
        assertThat(ac.sampleRate()).isEqualTo(Integer.parseInt(a[1]));
        assertThat(ac.channels()).isEqualTo(Integer.parseInt(a[2]));
        assertThat(ac.codec()).isEqualTo("mp4a.40.2");

        // A keyframe each second (-g 30), first frame is one; every frame in the pipeline's form: whole
        // 4-byte length-prefixed NAL units, no AUD, SPS or PPS (those travel in the VideoConfig).
        assertThat(rec.video.get(0).key).isTrue();
        assertThat(rec.video.stream().filter(f -> f.key).count()).isEqualTo(4);
        for (Frame f : rec.video) {
            assertThat(f.firstNalType).isNotIn(NalUnitType.AUD, NalUnitType.SPS, NalUnitType.PPS);
            assertThat(f.hasSps).as("AUD/SPS/PPS inside a frame").isFalse();
        }
        assertMonotonic(rec.video);
        assertMonotonic(rec.audio);
        assertThat(rec.video.get(0).dts).isBetween(0L, 9000L);
        // 4 s of media: last video DTS near 119 frames of 3000 ticks after the first.
        assertThat(rec.video.get(rec.video.size() - 1).dts - rec.video.get(0).dts)
                .isEqualTo(119 * 3000L);
        long audioSpan = rec.audio.get(rec.audio.size() - 1).dts - rec.audio.get(0).dts;
        assertThat(audioSpan).isBetween((rec.audio.size() - 1) * 1920L - 2, (rec.audio.size() - 1) * 1920L + 2);
        // B-frames: some pts ahead of dts
        assertThat(rec.video.stream().anyMatch(f -> f.pts > f.dts)).isTrue();
    }

    @Test
    void anyChunkingGivesTheSameFrames() throws Exception {
        Recorder whole = demux(ts, ts.length);
        Random random = new Random(7);
        Recorder ragged = new Recorder();
        TsDemuxer demuxer = new TsDemuxer(ByteBufAllocator.DEFAULT, ragged);
        for (int i = 0; i < ts.length; ) {
            int n = Math.min(ts.length - i, 1 + random.nextInt(700));
            demuxer.feed(Unpooled.wrappedBuffer(ts, i, n));
            i += n;
        }
        demuxer.flush();
        assertThat(ragged.digest()).isEqualTo(whole.digest());
        assertThat(demuxer.continuityErrors()).isZero();
        assertThat(demuxer.syncLosses()).isZero();
    }

    @Test
    void timestampsCrossThe33BitWrap() throws Exception {
        Recorder rec = demux(wrapped, 1316);
        assertThat(rec.video).hasSizeGreaterThan(100);
        assertMonotonic(rec.video);
        assertMonotonic(rec.audio);
        assertThat(rec.video.get(rec.video.size() - 1).dts - rec.video.get(0).dts)
                .isEqualTo(119 * 3000L);
    }

    @Test
    void lostPacketsAreCountedAndTheStreamGoesOn() throws Exception {
        // Drop one TS packet in every 150 (as a lossy UDP path without retransmission would).
        byte[] lossy = new byte[ts.length];
        int n = 0;
        for (int p = 0; p + 188 <= ts.length; p += 188) {
            if ((p / 188) % 150 != 75) {
                System.arraycopy(ts, p, lossy, n, 188);
                n += 188;
            }
        }
        Recorder rec = new Recorder();
        TsDemuxer demuxer = new TsDemuxer(ByteBufAllocator.DEFAULT, rec);
        for (int i = 0; i < n; i += 1316) {
            demuxer.feed(Unpooled.wrappedBuffer(lossy, i, Math.min(1316, n - i)));
        }
        demuxer.flush();
        Recorder clean = demux(ts, 1316);
        assertThat(demuxer.continuityErrors()).isPositive();
        assertThat(demuxer.droppedPes()).isPositive();
        assertThat(rec.video.size()).isLessThan(clean.video.size()).isGreaterThan(clean.video.size() * 8 / 10);
        assertMonotonic(rec.video);
    }

    @Test
    void garbageBetweenPacketsIsSkipped() throws Exception {
        byte[] noisy = new byte[ts.length + 1000];
        Random random = new Random(3);
        random.nextBytes(noisy);
        for (int i = 0; i < noisy.length; i++) {
            if (noisy[i] == 0x47) {
                noisy[i] = 0;
            }
        }
        System.arraycopy(ts, 0, noisy, 1000, ts.length);
        Recorder rec = demux(noisy, 1316);
        assertThat(rec.digest()).isEqualTo(demux(ts, 1316).digest());
    }

    public static void assertMonotonic(List<Frame> frames) {
        for (int i = 1; i < frames.size(); i++) {
            assertThat(frames.get(i).dts).as("dts of frame " + i).isGreaterThan(frames.get(i - 1).dts);
        }
    }

    public static Recorder demux(byte[] bytes, int chunk) {
        Recorder rec = new Recorder();
        try (TsDemuxer demuxer = new TsDemuxer(ByteBufAllocator.DEFAULT, rec)) {
            for (int i = 0; i < bytes.length; i += chunk) {
                demuxer.feed(Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i)));
            }
            demuxer.flush();
        }
        return rec;
    }

    public record Frame(
            boolean video, long dts, long pts, boolean key, int firstNalType, boolean hasSps, int size, int hash) {}

    /** A sink that keeps what it is told. */
    public static final class Recorder implements MediaSink {
        public final List<VideoConfig> videoConfigs = new ArrayList<>();
        public final List<AudioConfig> audioConfigs = new ArrayList<>();
        public final List<Frame> video = new ArrayList<>();
        public final List<Frame> audio = new ArrayList<>();

        @Override
        public void onSessionStart() {}

        @Override
        public void onVideoConfig(VideoConfig config) {
            videoConfigs.add(config);
        }

        @Override
        public void onAudioConfig(AudioConfig config) {
            audioConfigs.add(config);
        }

        @Override
        public void onFrame(MediaFrame frame) {
            ByteBuf p = frame.payload();
            int first = p.readableBytes() > 4 ? p.getByte(p.readerIndex() + 4) & 0x1F : -1;
            boolean sps = frame.isVideo() && holdsParameterSetsOrAud(p);
            Frame f = new Frame(
                    frame.isVideo(),
                    frame.dts(),
                    frame.pts(),
                    frame.isKeyframe(),
                    first,
                    sps,
                    p.readableBytes(),
                    io.netty.buffer.ByteBufUtil.hashCode(p));
            (frame.isVideo() ? video : audio).add(f);
        }

        @Override
        public void onSessionEnd() {}

        /** Walks the length prefixes (failing on a length past the end) looking for AUD, SPS or PPS. */
        private static boolean holdsParameterSetsOrAud(io.netty.buffer.ByteBuf p) {
            int i = p.readerIndex();
            int end = p.writerIndex();
            boolean found = false;
            while (i < end) {
                int len = p.getInt(i);
                assertThat(len).as("NAL length at %d", i).isPositive().isLessThanOrEqualTo(end - i - 4);
                int type = p.getByte(i + 4) & 0x1F;
                found |= type == NalUnitType.AUD || type == NalUnitType.SPS || type == NalUnitType.PPS;
                i += 4 + len;
            }
            return found;
        }

        String digest() {
            return videoConfigs + "|" + audioConfigs + "|" + video + "|" + audio;
        }
    }
}
