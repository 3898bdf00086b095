package io.openivs.server.media.ts.demux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.SpliceCue;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.scte35.SpliceInsert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Timed ID3 (stream type 0x15) and SCTE-35 (0x86) in an encoder's MPEG-TS, beside its H.264 and AAC. */
class TsDemuxerCuesTest {
    static final long SECOND = MediaFrame.CLOCK_RATE;

    @TempDir
    Path dir;

    /** What the demuxer hands on beside the frames. */
    static final class Cues implements MediaSink {
        final List<TimedMetadata> metadata = new ArrayList<>();
        final List<SpliceCue> splices = new ArrayList<>();
        long firstVideoPts = Long.MIN_VALUE;

        @Override
        public void onSessionStart() {}

        @Override
        public void onVideoConfig(VideoConfig config) {}

        @Override
        public void onAudioConfig(AudioConfig config) {}

        @Override
        public void onFrame(MediaFrame frame) {
            if (frame.isVideo() && firstVideoPts == Long.MIN_VALUE) {
                firstVideoPts = frame.pts();
            }
        }

        @Override
        public void onTimedMetadata(TimedMetadata item) {
            metadata.add(item);
        }

        @Override
        public void onSpliceCue(SpliceCue cue) {
            splices.add(cue);
        }

        @Override
        public void onSessionEnd() {}
    }

    static Cues demux(byte[] ts, int chunk) {
        Cues cues = new Cues();
        try (TsDemuxer demuxer = new TsDemuxer(ByteBufAllocator.DEFAULT, cues)) {
            for (int i = 0; i < ts.length; i += chunk) {
                demuxer.feed(Unpooled.wrappedBuffer(ts, i, Math.min(chunk, ts.length - i)));
            }
            demuxer.flush();
            assertThat(demuxer.continuityErrors()).isZero();
        }
        return cues;
    }

    /** The cues this test adds to a 4 s file whose video starts at {@code first}. */
    static List<CuedTs.Cue> cues(long first) {
        return List.of(
                new CuedTs.Metadata(first + SECOND, "first cue"),
                new CuedTs.Metadata(first + 2 * SECOND, "second cue"),
                // announced 1.5 s ahead, and repeated once, as encoders do
                new CuedTs.Splice(first + SECOND / 2, 77, first + 2 * SECOND, 30 * SECOND),
                new CuedTs.Splice(first + SECOND, 77, first + 2 * SECOND, 30 * SECOND),
                new CuedTs.Splice(first + 3 * SECOND, 78, -1, -1));
    }

    @Test
    void spliceInsertsAreReadBackAsWritten() {
        SpliceInsert.Parsed ours = SpliceInsert.parse(SpliceInsert.out(7, 30 * SECOND));
        assertThat(ours).isEqualTo(new SpliceInsert.Parsed(7, false, true, -1, 30 * SECOND, true));
        SpliceInsert.Parsed timed = SpliceInsert.parse(CuedTs.spliceInsert(9, (1L << 33) - 5, -1));
        assertThat(timed).isEqualTo(new SpliceInsert.Parsed(9, false, true, (1L << 33) - 5, -1, false));
        byte[] damaged = CuedTs.spliceInsert(9, 1000, 90_000);
        damaged[16] ^= 1;
        assertThat(SpliceInsert.parse(damaged)).as("CRC mismatch").isNull();
        assertThat(SpliceInsert.parse(new byte[] {(byte) 0xFC, 0, 1})).isNull();
    }

    @Test
    void timedId3AndSpliceInsertsComeOutOnTheFramesTimeline() throws Exception {
        byte[] plain = Files.readAllBytes(TsDemuxerTest.tsFile(dir.resolve("plain.ts"), "10", 4));
        long first = CuedTs.firstVideoPts(plain);
        byte[] cued = CuedTs.with(plain, cues(first));
        for (int chunk : new int[] {1316, 1000, 188 * 40}) {
            Cues out = demux(cued, chunk);
            long origin = first - out.firstVideoPts; // the file's clock onto the session's
            assertThat(out.metadata).hasSize(2);
            assertThat(new String(out.metadata.get(0).id3(), StandardCharsets.ISO_8859_1))
                    .startsWith("ID3")
                    .contains("first cue");
            assertThat(out.metadata.get(0).pts() + origin).isBetween(first + SECOND, first + SECOND + SECOND / 10);
            assertThat(out.metadata.get(1).pts() + origin)
                    .isBetween(first + 2 * SECOND, first + 2 * SECOND + SECOND / 10);
            assertThat(out.splices).hasSize(3); // repeats are the live side's to fold
            SpliceCue announced = out.splices.get(0);
            assertThat(announced.eventId()).isEqualTo(77);
            assertThat(announced.pts() + origin).isEqualTo(first + 2 * SECOND);
            assertThat(announced.durationTicks()).isEqualTo(30 * SECOND);
            assertThat(SpliceInsert.parse(announced.section())).isNotNull();
            SpliceCue immediate = out.splices.get(2);
            assertThat(immediate.eventId()).isEqualTo(78);
            assertThat(immediate.pts()).isEqualTo(SpliceCue.IMMEDIATE);
            assertThat(immediate.durationTicks()).isEqualTo(-1);
        }
    }
}
