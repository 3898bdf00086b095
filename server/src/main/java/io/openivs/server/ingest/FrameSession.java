package io.openivs.server.ingest;

import io.openivs.server.media.MediaSink;
import io.openivs.server.media.TrackType;

/**
 * One accepted publish, whatever the protocol: the publisher's demuxer (RTMP's FLV tags, SRT's MPEG-TS)
 * hands codec configs and frames to {@link #frames()} and reports each unit of media it took with
 * {@link #received}. Every call comes from the connection's event loop ({@link IngestConnection#executor()}),
 * in order, and none may block.
 */
public interface FrameSession {
    /** The connection is live; the session may end it with {@link IngestConnection#disconnect}. */
    void started(IngestConnection connection);

    /** Where the demuxer sends configs and frames. Session start and end are {@link #started}/{@link #closed}. */
    MediaSink frames();

    /** Whether media is still wanted: false once the session refused the publisher (a limit breached). */
    boolean accepting();

    /** A media message is about to be demuxed (for the optional timing log). */
    default void arriving() {}

    /**
     * A unit of media (a frame or a codec configuration) was taken, after what it produced reached
     * {@link #frames()}: {@code bytes} as received from the publisher (for bitrates), the timestamp on
     * the protocol's clock in ms, and for video whether it was a keyframe.
     */
    void received(TrackType track, long timestampMs, int bytes, boolean keyframe);

    /** The encoder's name, as the publisher announced it. */
    void encoder(String name);

    /** The publisher sent a codec the service does not take ({@code codec} is safe to log and show). */
    void unsupportedCodec(String codec);

    /** Exactly once, whatever the reason (also when the connection went before {@link #started}). */
    void closed(String reason);
}
