package io.openivs.server.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.resource.Json;

/**
 * One recorded rendition, in its own folder under {@code media/hls}: the source, named as IVS names
 * renditions, {@code <height>p<fps>} (e.g. {@code 720p30}), or a transcoded rung by its ladder name.
 */
record Rendition(String name, int width, int height, int frameRate, String codecs) {

    static Rendition of(Segment s) {
        VideoConfig v = s.video();
        if (v == null) {
            return of(s, "audio_only");
        }
        int fps = v.hasFrameRate() ? (int) Math.round(v.frameRate()) : 30;
        return of(s, v.height() + "p" + fps);
    }

    /** The rendition of {@code s}, named {@code name}. */
    static Rendition of(Segment s, String name) {
        VideoConfig v = s.video();
        AudioConfig a = s.audio();
        if (v == null) {
            return new Rendition(name, 0, 0, 0, a == null ? "" : a.codec());
        }
        int fps = v.hasFrameRate() ? (int) Math.round(v.frameRate()) : 30;
        String codecs = a != null ? v.codec() + "," + a.codec() : v.codec();
        return new Rendition(name, v.width(), v.height(), fps, codecs);
    }

    boolean hasVideo() {
        return width > 0;
    }

    /** For the recording's journal. */
    ObjectNode toJson() {
        ObjectNode r = Json.object();
        r.put("name", name);
        r.put("width", width);
        r.put("height", height);
        r.put("frameRate", frameRate);
        r.put("codecs", codecs);
        return r;
    }

    static Rendition fromJson(JsonNode r) {
        return new Rendition(
                r.path("name").asText(),
                r.path("width").asInt(),
                r.path("height").asInt(),
                r.path("frameRate").asInt(),
                r.path("codecs").asText());
    }
}
