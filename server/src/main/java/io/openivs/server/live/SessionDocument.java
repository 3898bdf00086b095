package io.openivs.server.live;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.h264.AvcProfiles;
import io.openivs.server.resource.Json;

/**
 * The session row's document, what GetStream and GetStreamSession read: health, viewerCount, the
 * channel, the publisher's ingest configuration and the session's events (Amazon IVS API Reference,
 * "Stream", "StreamSession", "IngestConfiguration", "IngestConfigurations"). What the publisher sent
 * (codec configurations, encoder name) is written by the owner thread and read by the heartbeat.
 */
final class SessionDocument {
    private final ObjectNode channelDoc;
    private final SessionEvents events;
    private volatile VideoConfig video;
    private volatile AudioConfig audio;
    private volatile String encoder = "";

    SessionDocument(ObjectNode channelDoc, SessionEvents events) {
        this.channelDoc = channelDoc;
        this.events = events;
    }

    VideoConfig video() {
        return video;
    }

    void video(VideoConfig config) {
        video = config;
    }

    AudioConfig audio() {
        return audio;
    }

    void audio(AudioConfig config) {
        audio = config;
    }

    void encoder(String name) {
        encoder = name;
    }

    /** IngestConfiguration from what the publisher sent and the measured bitrates; null before any config. */
    ObjectNode ingestConfiguration(long videoBitrate, long audioBitrate) {
        VideoConfig v = video;
        AudioConfig a = audio;
        if (v == null && a == null) {
            return null;
        }
        ObjectNode ic = Json.object();
        if (v != null) {
            ObjectNode vc = ic.putObject("video");
            vc.put("codec", v.codec());
            vc.put("avcProfile", AvcProfiles.name(v.profileIdc()));
            vc.put("avcLevel", AvcProfiles.level(v.levelIdc()));
            vc.put("videoWidth", v.width());
            vc.put("videoHeight", v.height());
            vc.put("targetFramerate", v.hasFrameRate() ? Math.round(v.frameRate()) : 0);
            vc.put("targetBitrate", videoBitrate);
            vc.put("encoder", encoder);
        }
        if (a != null) {
            ObjectNode ac = ic.putObject("audio");
            ac.put("codec", a.codec());
            ac.put("channels", a.channels());
            ac.put("sampleRate", a.sampleRate());
            ac.put("targetBitrate", audioBitrate);
        }
        return ic;
    }

    /**
     * GetStreamSession's ingestConfigurations: the one track of an RTMP publisher as "Track0", with
     * profile/level here and avcProfile/avcLevel left "" as IVS returns them (Amazon IVS API Reference,
     * "IngestConfigurations" and "VideoConfiguration").
     */
    static ObjectNode ingestConfigurations(ObjectNode single) {
        ObjectNode ics = Json.object();
        ArrayNode videos = ics.putArray("videoConfigurations");
        ArrayNode audios = ics.putArray("audioConfigurations");
        if (single != null && single.has("video")) {
            ObjectNode v = single.get("video").deepCopy();
            v.put("profile", v.path("avcProfile").asText());
            v.put("level", v.path("avcLevel").asText());
            v.put("avcProfile", "");
            v.put("avcLevel", "");
            v.put("track", "Track0");
            videos.add(v);
        }
        if (single != null && single.has("audio")) {
            ObjectNode a = single.get("audio").deepCopy();
            audios.add(a.put("track", "Track0"));
        }
        return ics;
    }

    /** The document as stored. */
    String write(String health, int viewerCount, ObjectNode ingestConfiguration) {
        ObjectNode d = Json.object();
        d.put("health", health);
        d.put("viewerCount", viewerCount);
        d.set("channel", channelDoc);
        if (ingestConfiguration != null) {
            d.set("ingestConfiguration", ingestConfiguration);
        }
        d.set("ingestConfigurations", ingestConfigurations(ingestConfiguration));
        events.writeTo(d.putArray("truncatedEvents"));
        return Json.write(d);
    }
}
