package io.openivs.server.recording;

import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.Segment;

/**
 * The one rendition openivs records: the source as published (there is no transcoder, so
 * {@code renditionConfiguration} always gets the source; IVS also falls back to the best
 * available rendition when the requested ones are missing). Named as IVS names renditions,
 * {@code <height>p<fps>}, e.g. {@code 720p30}.
 */
record Rendition(String name, int width, int height, int frameRate, String codecs) {

    static Rendition of(Segment s) {
        VideoConfig v = s.video();
        AudioConfig a = s.audio();
        if (v == null) {
            return new Rendition("audio_only", 0, 0, 0, a.codec());
        }
        int fps = v.hasFrameRate() ? (int) Math.round(v.frameRate()) : 30;
        String codecs = a != null ? v.codec() + "," + a.codec() : v.codec();
        return new Rendition(v.height() + "p" + fps, v.width(), v.height(), fps, codecs);
    }

    boolean hasVideo() {
        return width > 0;
    }
}
