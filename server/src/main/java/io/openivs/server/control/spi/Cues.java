package io.openivs.server.control.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.resource.Ids;
import io.openivs.server.resource.Json;
import io.openivs.server.store.StreamCue;

/**
 * The cues the control API records for a stream owned by another node (a store relay, like
 * StopStream's flag): written here, carried out by the owner at its heartbeat.
 */
public final class Cues {
    public static final String METADATA = "metadata";
    public static final String AD_BREAK = "ad-break";

    private Cues() {}

    /** PutMetadata's text for the stream's owner; the cue's body is the text itself. */
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

    /** An {@link #AD_BREAK} cue's break. */
    public record AdBreak(String adBreakId, int durationSeconds) {
        public static AdBreak of(StreamCue cue) {
            ObjectNode body = Json.parseObject(cue.body());
            return new AdBreak(
                    body.path("adBreakId").asText(),
                    body.path("durationSeconds").asInt());
        }
    }

    /** Sorts by creation time, then at random among cues of the same millisecond. */
    private static String id(long now) {
        return String.format("%015d-%s", now, Ids.alnum(8));
    }
}
