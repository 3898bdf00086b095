package io.openivs.server.live.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.ladder.Ladder;
import io.openivs.server.media.ladder.Ladders;
import io.openivs.server.media.ts.demux.TsDemuxer;
import io.openivs.server.testing.Publishing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine alone, with the real ffmpeg: a 720p60 source whose keyframes fall at irregular frames
 * (odd ones too) goes in; every rung comes out with keyframes at exactly the source's keyframe
 * times, the 30 fps rungs with about half the frames.
 */
class TranscoderTest {

    @Test
    void everyRungCutsWhereTheSourceHasKeyframesOnTheSourcesTimeline(@TempDir Path dir) throws Exception {
        Path ts = dir.resolve("in.ts");
        FfmpegTool.Result made = FfmpegTool.ffmpeg(
                "-hide_banner",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=1280x720:rate=60",
                "-f",
                "lavfi",
                "-i",
                "sine",
                "-t",
                "4",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "600",
                "-sc_threshold",
                "0",
                "-force_key_frames",
                "expr:eq(n,0)+eq(n,61)+eq(n,181)",
                "-c:a",
                "aac",
                "-f",
                "mpegts",
                ts.toString());
        assertThat(made.exitCode()).as(made.stderr()).isZero();

        // The source as the live wing has it: frames on a timeline from 0.
        List<Object> source = new ArrayList<>();
        List<Long> sourceKeys = new ArrayList<>();
        TsDemuxer demuxer = new TsDemuxer(PooledByteBufAllocator.DEFAULT, new MediaSink() {
            public void onSessionStart() {}

            public void onVideoConfig(VideoConfig c) {
                source.add(c);
            }

            public void onAudioConfig(AudioConfig c) {
                source.add(c);
            }

            public void onFrame(MediaFrame f) {
                source.add(f.retain());
                if (f.isVideo() && f.isKeyframe()) {
                    sourceKeys.add(f.pts());
                }
            }

            public void onSessionEnd() {}
        });
        ByteBuf bytes = Unpooled.wrappedBuffer(Files.readAllBytes(ts));
        demuxer.feed(bytes);
        demuxer.flush();
        assertThat(sourceKeys).hasSize(3);
        // Codec configurations first, as an RTMP publisher sends them (its sequence headers).
        source.sort(java.util.Comparator.comparingInt(o -> o instanceof MediaFrame ? 1 : 0));

        Ladder ladder = Ladders.forInput("STANDARD", "", 1280, 720, 60);
        Map<Integer, List<Long>> keys = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> videoFrames = new ConcurrentHashMap<>();
        List<VideoConfig> configs = new CopyOnWriteArrayList<>();
        Transcoder t = new Transcoder(
                "test",
                ladder,
                new Transcoder.Output() {
                    public void videoConfig(int generation, int rung, VideoConfig config) {
                        configs.add(config);
                    }

                    public void audioConfig(int generation, int rung, AudioConfig config) {}

                    public void frames(int generation, int rung, List<MediaFrame> frames) {
                        for (MediaFrame f : frames) {
                            if (f.isVideo()) {
                                videoFrames
                                        .computeIfAbsent(rung, r -> new AtomicInteger())
                                        .incrementAndGet();
                                if (f.isKeyframe()) {
                                    keys.computeIfAbsent(rung, r -> new CopyOnWriteArrayList<>())
                                            .add(f.pts());
                                }
                            }
                            f.release();
                        }
                    }
                },
                System::nanoTime);
        try {
            t.feeder().execute(() -> {
                for (Object o : source) {
                    if (o instanceof VideoConfig v) {
                        t.onVideoConfig(v);
                    } else if (o instanceof AudioConfig a) {
                        t.onAudioConfig(a);
                    } else {
                        MediaFrame f = (MediaFrame) o;
                        t.onFrame(f);
                        f.release();
                    }
                }
            });
            // The last keyframe comes out once ffmpeg has it; the stream is not ended, so wait for it.
            Publishing.await(Duration.ofSeconds(40), () -> {
                for (int r = 0; r < ladder.rungs().size(); r++) {
                    assertThat(keys.get(r)).as("rung " + r).isNotNull().hasSize(3);
                }
                return true;
            });
            for (int r = 0; r < ladder.rungs().size(); r++) {
                assertThat(keys.get(r)).as(ladder.rungs().get(r).name()).containsExactlyElementsOf(sourceKeys);
            }
            // 720p60 keeps every frame it has been given so far; the 30 fps rungs about half as many.
            int full = videoFrames.get(0).get();
            assertThat(videoFrames.get(1).get()).isBetween(full / 2 - 10, full / 2 + 10);
            assertThat(configs).anySatisfy(c -> assertThat(c.height()).isEqualTo(160));
            assertThat(t.restarts()).isZero();
        } finally {
            t.close();
            bytes.release();
        }
        // The child is gone once closed.
        Publishing.await(Duration.ofSeconds(5), () -> {
            assertThat(TranscodeTesting.children().size()).isZero();
            return true;
        });
    }
}
