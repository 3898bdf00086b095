package io.openivs.server.media.hls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.fmp4.AudioOnlySegmentWriter;
import io.openivs.server.media.fmp4.Fmp4SegmentWriter;
import io.openivs.server.media.ts.TsSegmentWriter;
import io.openivs.server.testing.SyntheticMedia;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LL-HLS parts cut by the {@link Segmenter} into fMP4 segments, and the playlists made of them. */
class SegmenterPartsTest {

    private static final Duration PART_TARGET = Duration.ofMillis(334);
    private static final long PART_TICKS = 334 * 90;

    private final List<Segment> finished = new ArrayList<>();
    private int changes;
    private final Segmenter segmenter = new Segmenter(
            SegmenterConfig.DEFAULT,
            new Fmp4SegmentWriter(ByteBufAllocator.DEFAULT),
            () -> 1_700_000_000_000L,
            finished::add);

    @AfterEach
    void close() {
        segmenter.close();
    }

    private void start() {
        segmenter.cutParts(PART_TARGET, () -> changes++);
        segmenter.onSessionStart();
        segmenter.onVideoConfig(SegmenterTest.VIDEO);
        segmenter.onAudioConfig(SegmenterTest.AUDIO);
    }

    /** 30 fps video with millisecond timestamps (as RTMP gives them), keyframe every second, audio alongside. */
    private void feed(int frames) {
        feed(0, frames);
    }

    private void feed(int from, int to) {
        SyntheticMedia.feed(segmenter, from, to);
    }

    private void frame(TrackType track, long dts, boolean key) {
        SyntheticMedia.lend(segmenter, SyntheticMedia.frame(track, dts, key));
    }

    private String playlist() {
        return PlaylistWriter.media(
                segmenter.segments(),
                segmenter.targetDurationSeconds(),
                seq -> seq + ".m4s",
                false,
                s -> "init-0.mp4",
                new LowLatency(
                        segmenter.partTargetTicks(),
                        (seq, index) -> seq + "." + index + ".m4s",
                        segmenter.partsInProgress(),
                        segmenter.nextSequence(),
                        segmenter.nextStartsDiscontinuity(),
                        segmenter.programDateTimeInProgress()));
    }

    @Test
    void partsFillEachSegmentWithoutExceedingTheTarget() {
        start();
        feed(30 * 7 + 12);
        assertThat(finished).hasSize(3);
        for (Segment s : finished) {
            assertThat(s.parts()).isNotEmpty();
            assertThat(s.parts()).allSatisfy(p -> {
                assertThat(p.durationTicks()).isLessThanOrEqualTo(PART_TICKS);
                assertThat(p.sequence()).isEqualTo(s.sequence());
            });
            // A part ends before the frame that would take it past 334 ms: ten frames are 333 or 334 ms.
            assertThat(s.parts().get(0).durationTicks()).isGreaterThanOrEqualTo(PART_TICKS * 85 / 100);
            assertThat(s.parts().stream().mapToLong(Part::durationTicks).sum()).isEqualTo(s.durationTicks());
            assertThat(s.parts())
                    .extracting(Part::index)
                    .containsExactlyElementsOf(
                            java.util.stream.IntStream.range(0, s.parts().size())
                                    .boxed()
                                    .toList());
            // Keyframes every second: the parts at 0 s and 1 s start with one.
            assertThat(s.parts()).filteredOn(Part::independent).hasSize(2);
            assertThat(s.parts().get(0).independent()).isTrue();
            // The segment is its parts, byte for byte.
            ByteBuf joined = Unpooled.wrappedBuffer(
                    s.parts().stream().map(Part::retainedData).toArray(ByteBuf[]::new));
            ByteBuf whole = s.retainedData();
            assertThat(ByteBufUtil.equals(joined, whole)).isTrue();
            joined.release();
            whole.release();
        }
        assertThat(segmenter.partsInProgress()).isNotEmpty();
        assertThat(segmenter.partsInProgress())
                .allSatisfy(p -> assertThat(p.sequence()).isEqualTo(3));
        assertThat(changes)
                .isEqualTo(finished.stream().mapToInt(s -> s.parts().size()).sum()
                        - finished.size()
                        + segmenter.partsInProgress().size()
                        + finished.size());
    }

    @Test
    void playlistsValidateAsTheStreamGrows() {
        start();
        LlHlsValidator validator = new LlHlsValidator();
        feed(61); // one segment done
        for (int round = 0; round < 40; round++) {
            LlHlsValidator.Playlist p = validator.check(playlist());
            assertThat(p.partTarget()).isEqualTo(0.334);
            assertThat(p.lastMsn()).isEqualTo(segmenter.nextSequence() - 1);
            int before = changes;
            for (int i = 0; i < 7; i++) {
                int n = 61 + round * 7 + i;
                long dts = Math.round(n * 1000 / 30.0) * 90;
                frame(TrackType.VIDEO, dts, n % 30 == 0);
                frame(TrackType.AUDIO, dts + 90, true);
            }
            // Seven frames cover most of a part: at most one finishes per round, and at least every other round.
            assertThat(changes - before).isBetween(0, 2);
        }
        String text = playlist();
        assertThat(text)
                .contains(
                        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002\n",
                        "#EXT-X-PART-INF:PART-TARGET=0.334\n",
                        "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"");
        // Parts only for the newest segments: the oldest in the window have none listed.
        long listed = text.lines().filter(l -> l.startsWith("#EXT-X-PART:")).count();
        long all =
                segmenter.segments().stream().mapToLong(s -> s.parts().size()).sum()
                        + segmenter.partsInProgress().size();
        assertThat(listed).isLessThan(all);
        // Every segment is dated, the one being written too (before its parts); the validator checked
        // on each round that a date, once announced, stays the segment's date when it is finished.
        assertThat(text.lines()
                        .filter(l -> l.startsWith("#EXT-X-PROGRAM-DATE-TIME:"))
                        .count())
                .isEqualTo(segmenter.segments().size() + 1);
        assertThat(text.substring(text.lastIndexOf("#EXTINF:")))
                .containsPattern("\n#EXT-X-PROGRAM-DATE-TIME:[^\n]+\n#EXT-X-PART:");
    }

    @Test
    void aDiscontinuousSegmentInProgressIsNotAnnouncedUntilFinished() {
        start();
        feed(90);
        segmenter.onSessionEnd();
        segmenter.onSessionStart();
        String text = playlist();
        assertThat(text).doesNotContain("PRELOAD-HINT");
        assertThat(segmenter.nextStartsDiscontinuity()).isTrue();
    }

    /** Collects what a viewer of the part being written would be sent. */
    private static final class Follower implements PartFollower {
        final ByteBuf received = Unpooled.buffer();
        int chunks;
        int ends;
        boolean stayFor = true;

        @Override
        public boolean onChunk(ByteBuf chunk) {
            if (!stayFor) {
                return false;
            }
            chunks++;
            received.writeBytes(chunk, chunk.readerIndex(), chunk.readableBytes());
            return true;
        }

        @Override
        public void partEnded() {
            ends++;
        }
    }

    @Test
    void thePartBeingWrittenIsSentChunkByChunkAndIsThePart() {
        start();
        feed(65); // segment 1 holds frames from 60 on: its first part has five of them
        long sequence = segmenter.nextSequence();
        assertThat(segmenter.partsInProgress()).isEmpty();
        assertThat(segmenter.isWritingPart(sequence, 0)).isTrue();
        assertThat(segmenter.isWritingPart(sequence, 1)).isFalse();
        assertThat(segmenter.isWritingPart(sequence - 1, 0)).isFalse();

        Follower early = new Follower();
        segmenter.followPart(early);
        assertThat(early.chunks).as("a chunk per frame whose successor came").isEqualTo(4);
        Follower leaving = new Follower();
        segmenter.followPart(leaving);
        leaving.stayFor = false;
        feed(65, 68);
        assertThat(early.chunks).isEqualTo(7);
        assertThat(early.ends).isZero();
        assertThat(leaving.chunks).isEqualTo(4);

        feed(68, 72); // frame 70 starts the next part
        assertThat(early.ends).isEqualTo(1);
        assertThat(leaving.ends).as("a follower that left hears no more").isZero();
        assertThat(early.chunks).isEqualTo(10);
        Part part = segmenter.partsInProgress().get(0);
        ByteBuf whole = part.retainedData();
        assertThat(ByteBufUtil.equals(early.received, whole))
                .as("the chunks sent are the part")
                .isTrue();
        whole.release();
        early.received.release();
        leaving.received.release();
        assertThat(segmenter.isWritingPart(sequence, 1)).isTrue();

        // The stream going away ends the response of whoever follows the part in progress.
        Follower last = new Follower();
        segmenter.followPart(last);
        segmenter.close();
        assertThat(last.ends).isEqualTo(1);
        last.received.release();
    }

    @Test
    void withoutVideoThePartBeingWrittenIsSentInChunksOfATenthOfASecond() {
        segmenter.cutParts(PART_TARGET, () -> changes++);
        segmenter.onSessionStart();
        segmenter.onAudioConfig(SegmenterTest.AUDIO);
        long frameTicks = 1024 * 90_000 / 48_000;
        int n = 0;
        // Two seconds without video before the segmenter goes audio-only, then one part and a frame.
        for (; n < 110; n++) {
            frame(TrackType.AUDIO, n * frameTicks, true);
        }
        long sequence = segmenter.nextSequence();
        int index = segmenter.partsInProgress().size();
        assertThat(index).isEqualTo(1);
        assertThat(segmenter.isWritingPart(sequence, index)).isTrue();
        Follower follower = new Follower();
        segmenter.followPart(follower);
        while (segmenter.partsInProgress().size() == index) {
            frame(TrackType.AUDIO, n++ * frameTicks, true);
        }
        assertThat(follower.ends).isEqualTo(1);
        assertThat(follower.chunks).as("chunks of a 1/3 s part").isBetween(3, 4);
        ByteBuf whole = segmenter.partsInProgress().get(index).retainedData();
        assertThat(ByteBufUtil.equals(follower.received, whole))
                .as("the chunks sent are the part")
                .isTrue();
        whole.release();
        follower.received.release();
    }

    @Test
    void anAudioOnlyWriterGetsTheSameSegmentsAndPartsWithoutVideo() {
        List<Segment> audioFinished = new ArrayList<>();
        try (Segmenter audio = new Segmenter(
                SegmenterConfig.DEFAULT,
                new AudioOnlySegmentWriter(new Fmp4SegmentWriter(ByteBufAllocator.DEFAULT)),
                () -> 1_700_000_000_000L,
                audioFinished::add)) {
            audio.cutParts(PART_TARGET, () -> {});
            start();
            audio.onSessionStart();
            audio.onVideoConfig(SegmenterTest.VIDEO);
            audio.onAudioConfig(SegmenterTest.AUDIO);
            for (int i = 0; i < 30 * 5 + 17; i++) {
                long dts = Math.round(i * 1000 / 30.0) * 90;
                for (TrackType track : TrackType.values()) {
                    byte[] payload = track == TrackType.VIDEO
                            ? new byte[] {0, 0, 0, 3, (byte) (i % 30 == 0 ? 0x65 : 0x41), 1, 2}
                            : new byte[] {0x21, 0x10};
                    long at = track == TrackType.VIDEO ? dts : dts + 90;
                    MediaFrame f = new MediaFrame(
                            track, at, at, track == TrackType.AUDIO || i % 30 == 0, Unpooled.wrappedBuffer(payload));
                    segmenter.onFrame(f);
                    audio.onFrame(f);
                    f.release();
                }
            }
            assertThat(audioFinished).hasSize(finished.size()).isNotEmpty();
            for (int i = 0; i < finished.size(); i++) {
                Segment v = finished.get(i);
                Segment a = audioFinished.get(i);
                assertThat(a.sequence()).isEqualTo(v.sequence());
                assertThat(a.durationTicks()).isEqualTo(v.durationTicks());
                assertThat(a.parts())
                        .extracting(Part::durationTicks)
                        .containsExactlyElementsOf(
                                v.parts().stream().map(Part::durationTicks).toList());
                assertThat(a.parts()).allMatch(Part::independent);
                // Described and written as audio alone: its init segment and CODECS have no video.
                assertThat(a.video()).isNull();
                assertThat(a.audio()).isEqualTo(SegmenterTest.AUDIO);
                assertThat(a.size()).isLessThan(v.size());
            }
            assertThat(audio.partsInProgress()).hasSameSizeAs(segmenter.partsInProgress());
            LowLatency.PartUri uri = (seq, index) -> seq + "." + index + ".m4s";
            LowLatency audioState =
                    new LowLatency(PART_TICKS, uri, audio.partsInProgress(), audio.nextSequence(), false);
            LowLatency videoState =
                    new LowLatency(PART_TICKS, uri, segmenter.partsInProgress(), segmenter.nextSequence(), false);
            RenditionReport report = audioState.report("audio_only/live.m3u8", audio.segments());
            assertThat(report)
                    .isEqualTo(new RenditionReport(
                            "audio_only/live.m3u8",
                            segmenter.nextSequence(),
                            segmenter.partsInProgress().size() - 1));
            assertThat(PlaylistWriter.media(
                            segmenter.segments(),
                            2,
                            seq -> seq + ".m4s",
                            false,
                            s -> "init-0.mp4",
                            videoState.withReports(List.of(report))))
                    .endsWith("#EXT-X-RENDITION-REPORT:URI=\"audio_only/live.m3u8\",LAST-MSN=" + report.lastMsn()
                            + ",LAST-PART=" + report.lastPart() + "\n");
        }
    }

    @Test
    void aReportBetweenSegmentsNamesTheLastPartOfTheNewest() {
        start();
        feed(61);
        Segment newest = segmenter.segments().get(segmenter.segments().size() - 1);
        LowLatency state = new LowLatency(PART_TICKS, (seq, index) -> "", List.of(), segmenter.nextSequence(), false);
        assertThat(state.report("x.m3u8", segmenter.segments()))
                .isEqualTo(new RenditionReport(
                        "x.m3u8", newest.sequence(), newest.parts().size() - 1));
        // Before a discontinuity the parts in progress are not listed, so not reported either.
        LowLatency held = new LowLatency(
                PART_TICKS, (seq, index) -> "", segmenter.partsInProgress(), segmenter.nextSequence(), true);
        assertThat(held.report("x.m3u8", segmenter.segments()).lastMsn()).isEqualTo(newest.sequence());
        assertThat(state.report("x.m3u8", List.of())).isNull();
    }

    @Test
    void tsSegmentsCannotBeCutIntoParts() {
        try (Segmenter ts = new Segmenter(
                SegmenterConfig.DEFAULT, new TsSegmentWriter(ByteBufAllocator.DEFAULT), () -> 0L, s -> {})) {
            assertThatThrownBy(() -> ts.cutParts(PART_TARGET, () -> {})).isInstanceOf(IllegalStateException.class);
        }
    }
}
