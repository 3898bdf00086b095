package io.openivs.server.media.fmp4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.SegmentWriter;
import io.openivs.server.media.TestSources;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.flv.FlvFileReader;
import io.openivs.server.media.flv.FlvToFrames;
import io.openivs.server.media.ts.TsSegmentWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Muxing throughput of the fMP4, MPEG-TS and audio-only fMP4 segment writers over the same frames
 * (10 s of 720p30 x264 + AAC, 200 times over); fMP4 also as a LOW channel writes it, with 1/3 s
 * parts and a CMAF chunk per video frame. A measurement, not a check: runs only with
 * {@code -Dopenivs.bench=true}; see bench/fmp4/README.md.
 */
@EnabledIfSystemProperty(named = "openivs.bench", matches = "true")
class MuxerBench {

    private static final int ROUNDS = 200;

    @TempDir
    Path tmp;

    @Test
    void fmp4AgainstTs() throws Exception {
        Path flv = TestSources.x264AacFlv(tmp.resolve("source.flv"), 1280, 720, 10);
        List<MediaFrame> frames = new ArrayList<>();
        VideoConfig[] video = new VideoConfig[1];
        AudioConfig[] audio = new AudioConfig[1];
        FlvToFrames demuxer = new FlvToFrames(PooledByteBufAllocator.DEFAULT, new MediaSink() {
            @Override
            public void onSessionStart() {}

            @Override
            public void onVideoConfig(VideoConfig config) {
                video[0] = config;
            }

            @Override
            public void onAudioConfig(AudioConfig config) {
                audio[0] = config;
            }

            @Override
            public void onFrame(MediaFrame frame) {
                frames.add(frame.copy());
            }

            @Override
            public void onSessionEnd() {}
        });
        for (FlvFileReader.Tag tag : FlvFileReader.read(flv)) {
            demuxer.tag(tag.type(), tag.timestamp(), Unpooled.wrappedBuffer(tag.body()));
        }
        long inBytes =
                frames.stream().mapToLong(f -> f.payload().readableBytes()).sum();
        Supplier<SegmentWriter> fmp4 = () -> new Fmp4SegmentWriter(PooledByteBufAllocator.DEFAULT);
        Supplier<SegmentWriter> ts = () -> new TsSegmentWriter(PooledByteBufAllocator.DEFAULT);
        for (int i = 0; i < 4; i++) {
            run("fmp4", fmp4.get(), frames, video[0], audio[0], inBytes);
            run("fmp4-chunked", fmp4.get(), frames, video[0], audio[0], inBytes);
            run("ts", ts.get(), frames, video[0], audio[0], inBytes);
            // What an LL-HLS channel's audio_only rendition adds: the same frames, video dropped.
            run(
                    "aud",
                    new AudioOnlySegmentWriter(new Fmp4SegmentWriter(PooledByteBufAllocator.DEFAULT)),
                    frames,
                    video[0],
                    audio[0],
                    inBytes);
        }
        frames.forEach(MediaFrame::release);
    }

    private static void run(
            String name,
            SegmentWriter writer,
            List<MediaFrame> frames,
            VideoConfig video,
            AudioConfig audio,
            long inBytes) {
        long outBytes = 0;
        long start = System.nanoTime();
        for (int r = 0; r < ROUNDS; r++) {
            writer.startSegment(new SegmentStart(r, false, video, audio, r * 10L * MediaFrame.CLOCK_RATE));
            int videoFrames = 0;
            for (MediaFrame frame : frames) {
                if (name.equals("fmp4-chunked") && frame.isVideo() && videoFrames++ > 0) {
                    // As the Segmenter does for LL-HLS: a chunk per frame, a part per ten.
                    Fmp4SegmentWriter fmp4 = (Fmp4SegmentWriter) writer;
                    fmp4.finishChunk(frame.dts()).release();
                    if (videoFrames % 10 == 1) {
                        fmp4.finishFragment().release();
                    }
                }
                writer.writeFrame(frame);
            }
            ByteBuf segment = writer.finishSegment();
            outBytes += segment.readableBytes();
            segment.release();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "%-12s %d frames in %.2f s: %.0f frames/s, %.0f MB/s, output/input %.4f%n",
                name,
                frames.size() * ROUNDS,
                seconds,
                frames.size() * ROUNDS / seconds,
                inBytes * ROUNDS / seconds / 1e6,
                outBytes / (double) (inBytes * ROUNDS));
        writer.close();
    }
}
