package io.openivs.server.store;

/**
 * A request for a live stream's muxer (timed metadata, ad break) recorded for its owner node.
 *
 * @param id orders the cues of a stream: creation time first
 * @param kind what {@code body} holds, e.g. {@code metadata}
 */
public record StreamCue(String id, String streamId, long created, String kind, String body) {}
