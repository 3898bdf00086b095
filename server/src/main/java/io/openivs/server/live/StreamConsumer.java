package io.openivs.server.live;

import io.openivs.server.media.MediaSink;
import io.openivs.server.media.hls.DateRange;

/**
 * What attaches to a live stream to receive its media: a rendition's segmenter, the recording's
 * segmenter, and consumers that run on threads of their own (a transcoder, an edge relay) through a
 * {@link FrameHandOff}. All calls come from the stream's owner thread, in order; frames are borrowed
 * for the call ({@link io.openivs.server.media.MediaFrame#retain()} one to keep it), and none of the
 * calls may block.
 */
public interface StreamConsumer extends MediaSink {

    /** An EXT-X-DATERANGE (an ad break) starting at the live edge. A consumer that cannot carry it ignores it. */
    default void onDateRange(DateRange range) {}
}
