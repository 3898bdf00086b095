package io.openivs.server.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.resource.Json;
import java.util.HexFormat;

/** Codec configs, frames and channel documents for the live package's unit tests (no publisher, no ffmpeg). */
final class MediaFixtures {
    /** 854x480 Constrained Baseline 3.0 (its SPS says 25 fps; the config, 30). */
    static final VideoConfig VIDEO = new VideoConfig(
            HexFormat.of().parseHex("6742c01eda0360f79bc044000003000400000300c83c58ba80"),
            HexFormat.of().parseHex("68ce0fc8"),
            854,
            480,
            66,
            0xC0,
            30,
            30);

    static final AudioConfig AUDIO = new AudioConfig(HexFormat.of().parseHex("1190"), 2, 48000, 2);
    static final String CHANNEL_ARN = "arn:aws:ivs:us-west-2:123456789012:channel/abcdEFGH1234";

    private MediaFixtures() {}

    static ObjectNode channel(String type, String latencyMode, String containerFormat) {
        ObjectNode c = Json.object();
        c.put("arn", CHANNEL_ARN);
        c.put("name", "test-channel");
        c.put("type", type);
        c.put("latencyMode", latencyMode);
        c.put("containerFormat", containerFormat);
        return c;
    }

    /** A video access unit (an IDR or non-IDR slice) or an AAC frame, with its own buffer. */
    static MediaFrame frame(TrackType track, long dts, boolean key) {
        byte[] payload = track == TrackType.VIDEO
                ? new byte[] {0, 0, 0, 3, (byte) (key ? 0x65 : 0x41), 1, 2}
                : new byte[] {0x21, 0x10};
        return new MediaFrame(track, dts, dts, key, Unpooled.wrappedBuffer(payload));
    }

    /**
     * 30 fps video and audio alongside, keyframe every second, frames {@code from} to {@code to}
     * (exclusive), each borrowed by the sink as a demuxer lends them.
     */
    static void feed(MediaSink sink, int from, int to) {
        for (int i = from; i < to; i++) {
            long dts = Math.round(i * 1000 / 30.0) * 90;
            lend(sink, frame(TrackType.VIDEO, dts, i % 30 == 0));
            lend(sink, frame(TrackType.AUDIO, dts + 90, true));
        }
    }

    static void lend(MediaSink sink, MediaFrame frame) {
        try {
            sink.onFrame(frame);
        } finally {
            frame.release();
        }
    }
}
