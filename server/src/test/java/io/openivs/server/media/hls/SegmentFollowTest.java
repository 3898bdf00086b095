package io.openivs.server.media.hls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.SegmentWriter;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.fmp4.Fmp4SegmentWriter;
import io.openivs.server.media.ts.TsSegmentWriter;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Following the segment being written (LHLS prefetch): a follower who joins at any point gets the
 * bytes so far, then the rest as written, and ends up with exactly the finished segment, for
 * MPEG-TS (read as the writer grows) and fMP4 with parts (chunk by chunk, metadata included).
 */
class SegmentFollowTest {
    private final List<Segment> finished = new ArrayList<>();
    private Segmenter segmenter;
    private int frame;

    @AfterEach
    void close() {
        segmenter.close();
    }

    private void start(SegmentWriter writer, boolean parts) {
        segmenter = new Segmenter(SegmenterConfig.DEFAULT, writer, () -> 1_700_000_000_000L, finished::add);
        if (parts) {
            segmenter.cutParts(Duration.ofMillis(334), () -> {});
        }
        segmenter.onSessionStart();
        segmenter.onVideoConfig(SegmenterTest.VIDEO);
        segmenter.onAudioConfig(SegmenterTest.AUDIO);
    }

    private void feed(int count) {
        for (int end = frame + count; frame < end; frame++) {
            long dts = Math.round(frame * 1000 / 30.0) * 90;
            boolean key = frame % 30 == 0;
            lend(new MediaFrame(TrackType.VIDEO, dts, dts, key, Unpooled.wrappedBuffer(new byte[] {
                0, 0, 0, 3, (byte) (key ? 0x65 : 0x41), 1, 2
            })));
            lend(new MediaFrame(
                    TrackType.AUDIO, dts + 90, dts + 90, true, Unpooled.wrappedBuffer(new byte[] {0x21, 0x10})));
            if (frame % 20 == 7) {
                segmenter.onTimedMetadata(new TimedMetadata(dts, new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 0}));
            }
        }
    }

    private void lend(MediaFrame f) {
        try {
            segmenter.onFrame(f);
        } finally {
            f.release();
        }
    }

    /** Collects what it is sent; leaves after {@code leaveAfter} calls when that is positive. */
    private static final class Collector implements SegmentFollower {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int leaveAfter;
        int calls;
        Boolean complete;

        Collector(int leaveAfter) {
            this.leaveAfter = leaveAfter;
        }

        @Override
        public boolean onBytes(ByteBuf b) {
            if (leaveAfter > 0 && calls == leaveAfter) {
                return false;
            }
            calls++;
            byte[] a = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), a);
            bytes.writeBytes(a);
            return true;
        }

        @Override
        public void segmentEnded(boolean done) {
            complete = done;
        }
    }

    private static byte[] bytes(Segment s) {
        ByteBuf data = s.retainedData();
        byte[] a = new byte[data.readableBytes()];
        data.readBytes(a);
        data.release();
        return a;
    }

    private void followersJoiningAnywhereGetTheWholeSegment(SegmentWriter writer, boolean parts) {
        start(writer, parts);
        feed(30 * 2 + 1); // the first segment finished, the second begun
        long sequence = segmenter.nextSequence();
        assertThat(segmenter.prefetch()).isEqualTo(new Prefetch(sequence, true, false));
        assertThat(segmenter.isWritingSegment(sequence)).isTrue();
        assertThat(segmenter.isWritingSegment(sequence + 1)).isFalse();
        Collector early = new Collector(0);
        segmenter.followSegment(early);
        feed(25); // parts and chunks closed meanwhile
        Collector late = new Collector(0);
        segmenter.followSegment(late);
        Collector leaving = new Collector(3);
        segmenter.followSegment(leaving);
        assertThat(late.bytes.size()).isPositive().isEqualTo(early.bytes.size());
        feed(40); // past the segment's end
        Segment segment = finished.stream()
                .filter(s -> s.sequence() == sequence)
                .findFirst()
                .orElseThrow();
        assertThat(early.complete).isTrue();
        assertThat(early.bytes.toByteArray()).isEqualTo(bytes(segment));
        assertThat(late.bytes.toByteArray()).isEqualTo(bytes(segment));
        assertThat(early.calls).isGreaterThan(10);
        assertThat(leaving.complete).as("left: not told of the end").isNull();
        assertThat(segmenter.prefetch()).isEqualTo(new Prefetch(sequence + 1, true, false));

        // Dropped unfinished (the stream closed under it): followers hear that it is incomplete.
        Collector dropped = new Collector(0);
        segmenter.followSegment(dropped);
        segmenter.close();
        assertThat(dropped.complete).isFalse();
    }

    @Test
    void mpegTs() {
        followersJoiningAnywhereGetTheWholeSegment(new TsSegmentWriter(PooledByteBufAllocator.DEFAULT), false);
    }

    @Test
    void fmp4WithParts() {
        followersJoiningAnywhereGetTheWholeSegment(new Fmp4SegmentWriter(PooledByteBufAllocator.DEFAULT), true);
    }

    @Test
    void fmp4WithoutPartsCannotBeFollowed() {
        start(new Fmp4SegmentWriter(PooledByteBufAllocator.DEFAULT), false);
        feed(10);
        assertThat(segmenter.isWritingSegment(segmenter.nextSequence())).isFalse();
    }

    @Test
    void aSessionEndFinishesTheSegmentAndTheNextFollowsADiscontinuity() {
        start(new TsSegmentWriter(PooledByteBufAllocator.DEFAULT), false);
        feed(30 * 2 + 10);
        long sequence = segmenter.nextSequence();
        Collector c = new Collector(0);
        segmenter.followSegment(c);
        segmenter.onSessionEnd();
        assertThat(c.complete).isTrue();
        assertThat(c.bytes.toByteArray()).isEqualTo(bytes(finished.get(finished.size() - 1)));
        assertThat(segmenter.prefetch()).isEqualTo(new Prefetch(sequence + 1, false, false));
        segmenter.onSessionStart(); // a new publisher session: its first segment is a discontinuity
        assertThat(segmenter.prefetch().discontinuity()).isTrue();
        assertThat(segmenter.prefetch().lists(sequence + 1)).isFalse();
        assertThat(segmenter
                        .prefetch()
                        .appendTo(new StringBuilder(), s -> s + ".ts")
                        .toString())
                .isEmpty();
    }
}
