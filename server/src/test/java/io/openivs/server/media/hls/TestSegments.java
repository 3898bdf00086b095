package io.openivs.server.media.hls;

import io.netty.buffer.ByteBuf;
import io.openivs.server.media.VideoConfig;

/** Finished segments for tests outside this package (their constructors are the segmenter's). */
public final class TestSegments {
    /** 854x480 (SD) and 1280x720 (HD) video. */
    public static final VideoConfig SD = SegmenterTest.VIDEO;

    public static final VideoConfig HD = SegmenterTest.OTHER_VIDEO;

    private TestSegments() {}

    /** A 2 s segment numbered {@code sequence} holding {@code data} (the segment takes the caller's reference). */
    public static Segment segment(long sequence, ByteBuf data, VideoConfig video) {
        return segment(sequence, 2 * SegmenterTest.SECOND, data, video);
    }

    /** As {@link #segment(long, ByteBuf, VideoConfig)}, lasting {@code durationTicks} (90 kHz). */
    public static Segment segment(long sequence, long durationTicks, ByteBuf data, VideoConfig video) {
        return Segment.builder(sequence, durationTicks, data)
                .programDateTime(1_764_000_000_000L + sequence * 2000)
                .tracks(video, SegmenterTest.AUDIO)
                .build();
    }

    /** Drops the window's hold, as the segmenter does when the segment leaves the window. */
    public static void release(Segment s) {
        s.release();
    }
}
