package io.openivs.server.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.resource.Json;
import io.openivs.server.testing.SyntheticMedia;

/** Codec configs, frames and channel documents for the live package's unit tests (no publisher, no ffmpeg). */
final class MediaFixtures {
    /** 854x480 Constrained Baseline 3.0 (its SPS says 25 fps; the config, 30). */
    static final VideoConfig VIDEO = SyntheticMedia.VIDEO;

    static final AudioConfig AUDIO = SyntheticMedia.AUDIO;
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
        return SyntheticMedia.frame(track, dts, key);
    }

    /**
     * 30 fps video and audio alongside, keyframe every second, frames {@code from} to {@code to}
     * (exclusive), each borrowed by the sink as a demuxer lends them.
     */
    static void feed(MediaSink sink, int from, int to) {
        SyntheticMedia.feed(sink, from, to);
    }

    static void lend(MediaSink sink, MediaFrame frame) {
        SyntheticMedia.lend(sink, frame);
    }
}
