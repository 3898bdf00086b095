package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * One accepted publish. All callbacks run on the connection's event loop, one at a time, so an implementation
 * sees them in order; none of them may block.
 */
public interface PublishSession {
    /** The connection is live; the session can end it (StopStream) by calling control.disconnect(reason). */
    void started(PublisherControl control);

    /** The encoder's onMetaData (ECMA array or object) as plain Java values, in the encoder's order. */
    void onMetadata(Map<String, Object> metadata);

    /** FLV AUDIODATA / VIDEODATA tag bodies with the RTMP timestamp (ms). The buffer is only valid during the call; retain() to keep it. */
    void onAudio(long timestampMs, ByteBuf flvAudioTagBody);

    void onVideo(long timestampMs, ByteBuf flvVideoTagBody);

    /**
     * Exactly once, whatever the reason (unpublish, socket closed, protocol error, disconnect()). Also called,
     * without {@link #started}, when the connection went away while the authorizer was still deciding.
     */
    void closed(String reason);
}
