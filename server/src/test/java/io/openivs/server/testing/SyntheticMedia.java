package io.openivs.server.testing;

import io.netty.buffer.Unpooled;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import java.util.HexFormat;

/** Frames of no real picture or sound, for tests of what cuts, lists and serves them (no publisher, no ffmpeg). */
public final class SyntheticMedia {
    /** 854x480 Constrained Baseline 3.0 (its SPS says 25 fps; the config, 30). */
    public static final VideoConfig VIDEO = new VideoConfig(
            HexFormat.of().parseHex("6742c01eda0360f79bc044000003000400000300c83c58ba80"),
            HexFormat.of().parseHex("68ce0fc8"),
            854,
            480,
            66,
            0xC0,
            30,
            30);

    /** AAC-LC, 48 kHz, stereo. */
    public static final AudioConfig AUDIO = new AudioConfig(HexFormat.of().parseHex("1190"), 2, 48000, 2);

    private SyntheticMedia() {}

    /** A video access unit (an IDR or non-IDR slice, length-prefixed) or an AAC frame, with its own buffer. */
    public static MediaFrame frame(TrackType track, long dts, boolean key) {
        byte[] payload = track == TrackType.VIDEO
                ? new byte[] {0, 0, 0, 3, (byte) (key ? 0x65 : 0x41), 1, 2}
                : new byte[] {0x21, 0x10};
        return new MediaFrame(track, dts, dts, key, Unpooled.wrappedBuffer(payload));
    }

    /**
     * 30 fps video with millisecond timestamps (as RTMP gives them) and audio alongside, a keyframe every
     * second, frames {@code from} to {@code to} (exclusive), each borrowed by the sink as a demuxer lends them.
     */
    public static void feed(MediaSink sink, int from, int to) {
        for (int i = from; i < to; i++) {
            long dts = Math.round(i * 1000 / 30.0) * 90;
            lend(sink, frame(TrackType.VIDEO, dts, i % 30 == 0));
            lend(sink, frame(TrackType.AUDIO, dts + 90, true));
        }
    }

    /** Hands {@code frame} to {@code sink} for the call only, as a demuxer lends its frames. */
    public static void lend(MediaSink sink, MediaFrame frame) {
        try {
            sink.onFrame(frame);
        } finally {
            frame.release();
        }
    }
}
