package io.openivs.server.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.Json;
import io.openivs.server.control.Ids;
import io.openivs.server.store.StreamCue;

/**
 * The cues the control API records for a stream owned by another node (store relay, like
 * StopStream's flag), and how the owner carries them out at its heartbeat.
 */
public final class StreamCues {
    static final String METADATA = "metadata";
    static final String AD_BREAK = "ad-break";

    private StreamCues() {
    }

    /** PutMetadata's text for the stream's owner. */
    public static StreamCue metadata(String streamId, String text, long now) {
        return new StreamCue(id(now), streamId, now, METADATA, text);
    }

    /** InsertAdBreak's break (already begun in the session row) for the stream's owner. */
    public static StreamCue adBreak(String streamId, String adBreakId, int durationSeconds, long now) {
        ObjectNode body = Json.object();
        body.put("adBreakId", adBreakId);
        body.put("durationSeconds", durationSeconds);
        return new StreamCue(id(now), streamId, now, AD_BREAK, Json.write(body));
    }

    /** Carries out a cue on its stream; false if the stream is not live here any more. */
    static boolean apply(LiveStream stream, StreamCue cue) {
        switch (cue.kind()) {
            case METADATA:
                return stream.putMetadata(cue.body());
            case AD_BREAK: {
                ObjectNode body = Json.parseObject(cue.body());
                return stream.insertAdBreak(body.path("adBreakId").asText(), body.path("durationSeconds").asInt());
            }
            default:
                return false; // written by a newer version: nothing this one can do with it
        }
    }

    /** Sorts by creation time, then at random among cues of the same millisecond. */
    private static String id(long now) {
        return String.format("%015d-%s", now, Ids.alnum(8));
    }
}
