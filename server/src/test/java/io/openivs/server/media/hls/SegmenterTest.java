package io.openivs.server.media.hls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.SegmentWriter;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.id3.Id3Tag;
import io.openivs.server.testing.SyntheticMedia;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SegmenterTest {

    /** The synthetic SD picture (the other tests of this package take it from here). */
    static final VideoConfig VIDEO = SyntheticMedia.VIDEO;

    static final VideoConfig OTHER_VIDEO = new VideoConfig(
            HexFormat.of().parseHex("674d4020eca02802dd8088"),
            HexFormat.of().parseHex("68ef8fc8"),
            1280,
            720,
            77,
            0x40,
            32,
            60);
    static final AudioConfig AUDIO = SyntheticMedia.AUDIO;
    static final long FRAME = 3000; // 30 fps
    static final long SECOND = 90_000;

    /** A writer that lists what it was given, one line per call, so cuts can be seen. */
    static final class ListingWriter implements SegmentWriter {
        final List<SegmentStart> starts = new ArrayList<>();
        final List<List<String>> frames = new ArrayList<>();
        final List<ByteBuf> produced = new ArrayList<>();
        final List<TimedMetadata> metadata = new ArrayList<>();
        private StringBuilder current;
        private long offset;

        @Override
        public String extension() {
            return "txt";
        }

        @Override
        public void startSegment(SegmentStart start) {
            starts.add(start);
            frames.add(new ArrayList<>());
            current = new StringBuilder();
            offset = start.timestampOffset();
        }

        @Override
        public void writeFrame(MediaFrame frame) {
            String line = (frame.isVideo() ? (frame.isKeyframe() ? "K" : "V") : "A") + (frame.dts() + offset);
            frames.get(frames.size() - 1).add(line);
            current.append(line).append('\n');
        }

        @Override
        public void writeMetadata(TimedMetadata item) {
            metadata.add(item);
            String line = "M" + (item.pts() + offset);
            frames.get(frames.size() - 1).add(line);
            current.append(line).append('\n');
        }

        @Override
        public ByteBuf finishSegment() {
            ByteBuf out = Unpooled.copiedBuffer(current, StandardCharsets.US_ASCII);
            produced.add(out);
            current = null;
            return out;
        }

        @Override
        public void close() {}
    }

    private final ListingWriter writer = new ListingWriter();
    private final List<Segment> finished = new ArrayList<>();
    private long clock = 1_700_000_000_000L;
    private Segmenter segmenter = segmenter(SegmenterConfig.DEFAULT);

    private Segmenter segmenter(SegmenterConfig config) {
        return new Segmenter(config, writer, () -> clock, finished::add);
    }

    @AfterEach
    void close() {
        segmenter.close();
    }

    private void start(VideoConfig video) {
        segmenter.onSessionStart();
        segmenter.onVideoConfig(video);
        segmenter.onAudioConfig(AUDIO);
    }

    /** Feeds video at 30 fps with a keyframe every {@code gop} frames, and an audio frame per video frame. */
    private void feed(long fromDts, int count, int gop) {
        for (int i = 0; i < count; i++) {
            long dts = fromDts + i * FRAME;
            frame(TrackType.VIDEO, dts, i % gop == 0);
            frame(TrackType.AUDIO, dts + 100, true);
        }
    }

    private void frame(TrackType track, long dts, boolean key) {
        MediaFrame f = new MediaFrame(track, dts, dts, key, Unpooled.wrappedBuffer(new byte[] {1}));
        segmenter.onFrame(f);
        f.release();
    }

    @Test
    void cutsAtTheFirstKeyframeOnceTheTargetIsReached() {
        start(VIDEO);
        feed(0, 151, 30); // keyframes every second; 5 s and one frame
        assertThat(finished).extracting(Segment::durationTicks).containsExactly(2 * SECOND, 2 * SECOND);
        assertThat(writer.frames).allSatisfy(f -> assertThat(f.get(0)).startsWith("K"));
        assertThat(writer.frames.get(1).get(0)).isEqualTo("K180000");
        assertThat(finished).extracting(Segment::sequence).containsExactly(0L, 1L);
        assertThat(finished).noneMatch(Segment::discontinuity);
    }

    @Test
    void keyframesAFrameShortOfTheTargetStillCut() {
        start(VIDEO);
        // Keyframe "every 2 s" landing at 1.967 s after millisecond rounding.
        for (int i = 0; i < 200; i++) {
            frame(TrackType.VIDEO, i * FRAME, i % 59 == 0);
        }
        assertThat(finished.get(0).durationTicks()).isEqualTo(59 * FRAME);
    }

    @Test
    void longGopsMakeLongerSegmentsAndRaiseTheTargetDuration() {
        start(VIDEO);
        assertThat(segmenter.targetDurationSeconds()).isEqualTo(2);
        feed(0, 300, 120); // keyframe every 4 s
        assertThat(finished).extracting(Segment::durationTicks).containsExactly(4 * SECOND, 4 * SECOND);
        assertThat(segmenter.targetDurationSeconds()).isEqualTo(4);
    }

    @Test
    void nothingIsWrittenBeforeTheFirstKeyframe() {
        start(VIDEO);
        frame(TrackType.AUDIO, 0, true);
        frame(TrackType.VIDEO, 0, false);
        feed(FRAME, 70, 60);
        segmenter.onSessionEnd();
        assertThat(writer.frames.get(0).get(0)).isEqualTo("K3000");
        assertThat(writer.frames.get(0)).doesNotContain("A0", "V0");
    }

    @Test
    void sessionEndClosesTheSegmentAtTheEndOfItsLastFrame() {
        start(VIDEO);
        feed(0, 75, 60);
        segmenter.onSessionEnd();
        assertThat(finished).extracting(Segment::durationTicks).containsExactly(60 * FRAME, 15 * FRAME);
    }

    @Test
    void windowKeepsTheNewestSegmentsAndReleasesTheRest() {
        segmenter = segmenter(SegmenterConfig.DEFAULT.withWindowSize(3));
        start(VIDEO);
        feed(0, 60 * 5 + 1, 60);
        assertThat(finished).hasSize(5);
        assertThat(segmenter.segments()).extracting(Segment::sequence).containsExactly(2L, 3L, 4L);
        assertThat(writer.produced.get(0).refCnt()).isZero();
        assertThat(writer.produced.get(1).refCnt()).isZero();
        assertThat(writer.produced.get(2).refCnt()).isOne();
    }

    @Test
    void segmentBytesAreSharedReadOnlyWithEachReader() {
        start(VIDEO);
        feed(0, 61, 60);
        Segment s = finished.get(0);
        ByteBuf a = s.retainedData();
        ByteBuf b = s.retainedData();
        assertThat(a.isReadOnly()).isTrue();
        assertThat(a.toString(StandardCharsets.US_ASCII)).startsWith("K0\nA100\nV3000\n");
        assertThat(a.readableBytes()).isEqualTo(s.size());
        a.skipBytes(3);
        assertThat(b.readerIndex()).isZero();
        a.release();
        b.release();
        assertThat(writer.produced.get(0).refCnt()).isOne();
        segmenter.close();
        assertThat(writer.produced.get(0).refCnt()).isZero();
    }

    @Test
    void reconnectIsADiscontinuityOnATimelineThatRunsOn() {
        start(VIDEO);
        feed(0, 90, 60); // 3 s: one 2 s segment, one 1 s segment on session end
        segmenter.onSessionEnd();
        clock += 10_000;
        start(VIDEO); // same headers again; timestamps restart at 0
        feed(0, 61, 60);

        assertThat(finished).extracting(Segment::discontinuity).containsExactly(false, false, true);
        assertThat(finished).extracting(Segment::discontinuitySequence).containsExactly(0L, 0L, 1L);
        assertThat(writer.frames.get(2).get(0)).isEqualTo("K" + 3 * SECOND);
        assertThat(writer.starts.get(2).timestampOffset()).isEqualTo(3 * SECOND);
        assertThat(finished.get(2).programDateTime()).isEqualTo(clock);
        // Fed at once, so the second segment's first frame "arrived" with the first: dates still move on.
        assertThat(finished.get(1).programDateTime()).isEqualTo(1_700_000_000_001L);
    }

    @Test
    void programDateTimeIsTheArrivalOfEachSegmentsFirstFrame() {
        start(VIDEO);
        long origin = clock;
        for (int i = 0; i < 61; i++) { // real time for the first segment
            clock = origin + i * FRAME / 90;
            frame(TrackType.VIDEO, i * FRAME, i % 60 == 0);
        }
        clock += 700; // the encoder stalls for 0.7 s before the next keyframe's successors
        for (int i = 61; i < 180; i++) {
            clock += FRAME / 90;
            frame(TrackType.VIDEO, i * FRAME, i % 60 == 0);
        }
        assertThat(finished).hasSize(2);
        assertThat(finished.get(0).programDateTime()).isEqualTo(origin);
        // The second segment's keyframe (frame 60) arrived 2 s after the first: its date follows arrival.
        assertThat(finished.get(1).programDateTime()).isEqualTo(origin + 60 * FRAME / 90);
        // The third started after the stall, so its date is 0.7 s later than the media clock would say.
        segmenter.onSessionEnd();
        // 60 frames 33 ms apart plus the stall: 0.7 s later than the media clock would say.
        assertThat(finished.get(2).programDateTime() - finished.get(1).programDateTime())
                .isEqualTo(60 * 33 + 700);
    }

    @Test
    void timestampJumpIsADiscontinuity() {
        start(VIDEO);
        feed(0, 61, 60);
        feed(60 * SECOND, 61, 60); // a minute later without a new session
        assertThat(finished).extracting(Segment::discontinuity).containsExactly(false, false, true);
        assertThat(finished.get(1).durationTicks()).isEqualTo(FRAME);
        assertThat(writer.frames.get(2).get(0)).isEqualTo("K" + (2 * SECOND + FRAME));
    }

    @Test
    void timestampsGoingBackIsADiscontinuity() {
        start(VIDEO);
        feed(10 * SECOND, 61, 60);
        feed(9 * SECOND, 61, 60); // an encoder clock reset by one second
        assertThat(finished).extracting(Segment::discontinuity).containsExactly(false, false, true);
        // Nothing dropped, and the output continues right after the last frame before the reset.
        assertThat(writer.frames.get(2)).hasSize(120).startsWith("K" + (12 * SECOND + FRAME));
    }

    @Test
    void smallJitterIsNoDiscontinuity() {
        segmenter = segmenter(new SegmenterConfig(Duration.ofSeconds(2), 6, Duration.ofSeconds(3)));
        start(VIDEO);
        feed(0, 61, 60);
        feed(61 * FRAME + SECOND, 61, 60); // one second without frames
        assertThat(finished).noneMatch(Segment::discontinuity);
    }

    @Test
    void newEncodingMidStreamEndsTheSegmentAndMarksTheNextOne() {
        start(VIDEO);
        feed(0, 45, 60);
        segmenter.onVideoConfig(OTHER_VIDEO);
        feed(45 * FRAME, 61, 60);
        assertThat(finished).extracting(Segment::discontinuity).containsExactly(false, true);
        assertThat(finished.get(0).video()).isEqualTo(VIDEO);
        assertThat(finished.get(1).video()).isEqualTo(OTHER_VIDEO);
        assertThat(writer.starts.get(1).video()).isEqualTo(OTHER_VIDEO);
    }

    @Test
    void audioOnlyStreamsAreCutOnAudioAfterWaitingForVideo() {
        segmenter.onSessionStart();
        segmenter.onAudioConfig(AUDIO);
        for (int i = 0; i < 400; i++) {
            frame(TrackType.AUDIO, i * 1920L, true);
        }
        assertThat(finished).isNotEmpty();
        assertThat(writer.starts.get(0).video()).isNull();
        assertThat(writer.frames.get(0).get(0)).isEqualTo("A" + 94 * 1920L); // first frame 2 s in
        assertThat(finished.get(0).durationTicks()).isBetween(2 * SECOND - 1920, 2 * SECOND + 1920);
    }

    @Test
    void timedMetadataGoesIntoTheOpenSegmentAtTheLiveEdge() {
        start(VIDEO);
        feed(0, 40, 30);
        segmenter.onTimedMetadata(new TimedMetadata(segmenter.livePts(), new byte[] {1}));
        feed(40 * FRAME, 30, 30);
        segmenter.onSessionEnd();
        assertThat(segmenter.livePts()).isEqualTo(69 * FRAME + 100);
        // Written between the frames around it, stamped with the newest frame's time (audio, 100 ticks late).
        List<String> first = writer.frames.get(0);
        assertThat(first.get(first.indexOf("M" + (39 * FRAME + 100)) - 1)).isEqualTo("A" + (39 * FRAME + 100));
    }

    @Test
    void stampedSegmentsStartWithTheArrivalOfTheirFirstFrameForTheIvsPlayer() {
        segmenter.stampLatency();
        start(VIDEO);
        segmenter.onTimedMetadata(new TimedMetadata(segmenter.livePts(), new byte[] {1}));
        for (int i = 0; i < 3; i++) {
            clock += 2000;
            feed(i * 2 * SECOND, 60, 60);
        }
        segmenter.onSessionEnd();
        assertThat(finished).hasSize(3);
        for (int i = 0; i < 3; i++) {
            long start = i * 2 * SECOND;
            assertThat(writer.frames.get(i)).startsWith("M" + start, i == 0 ? "M" + start : "K" + start);
        }
        List<TimedMetadata> stamps =
                writer.metadata.stream().filter(TimedMetadata::ivsPlayerOnly).toList();
        assertThat(stamps).hasSize(3);
        for (int i = 0; i < 3; i++) {
            long arrival = finished.get(i).programDateTime();
            assertThat(stamps.get(i).id3())
                    .isEqualTo(Id3Tag.segmentMetadata(arrival))
                    .as("first frame's arrival")
                    .isEqualTo(Id3Tag.segmentMetadata(1_700_000_000_000L + 2000 * (i + 1)));
        }
        assertThat(writer.metadata).filteredOn(m -> !m.ivsPlayerOnly()).hasSize(1);
    }

    @Test
    void metadataAndDateRangesBeforeAnySegmentStartWithTheFirst() {
        start(VIDEO);
        segmenter.onTimedMetadata(new TimedMetadata(segmenter.livePts(), new byte[] {1}));
        segmenter.addDateRange(new DateRange("ad1", 0, 30, new byte[] {1}));
        frame(TrackType.AUDIO, 0, true); // nothing opens before a keyframe
        feed(FRAME, 70, 60);
        assertThat(writer.frames.get(0)).startsWith("M3000", "K3000");
        assertThat(finished.get(0).dateRanges())
                .extracting(DateRange::id, DateRange::startMillis)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(
                        "ad1", finished.get(0).programDateTime()));
        assertThat(finished.get(0).dateRanges().get(0).scte35OutHex()).isEqualTo("0x01");
    }

    @Test
    void aDateRangeInAnOpenSegmentStartsAtTheNewestFrame() {
        start(VIDEO);
        feed(0, 45, 60); // 1.5 s into the first segment
        segmenter.addDateRange(new DateRange("ad2", 0, 10, null));
        feed(45 * FRAME, 30, 15); // keyframes at 1.5 and 2 s: the cut comes at 2 s
        segmenter.onSessionEnd();
        Segment first = finished.get(0);
        assertThat(first.dateRanges()).hasSize(1);
        assertThat(first.dateRanges().get(0).startMillis() - first.programDateTime())
                .isEqualTo(1467); // 44 frames + 100 ticks
        assertThat(finished.get(1).dateRanges()).isEmpty();
    }
}
