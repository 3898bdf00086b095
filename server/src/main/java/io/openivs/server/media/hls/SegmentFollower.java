package io.openivs.server.media.hls;

import io.netty.buffer.ByteBuf;

/**
 * Someone sent the segment being written as it grows (a viewer's response to an LHLS prefetch
 * segment): told of its bytes in order as they are written, then of its end. Called on the
 * segmenter's thread.
 */
public interface SegmentFollower {

    /**
     * The next bytes of the segment, borrowed: take a reference ({@code retainedDuplicate}) to keep them.
     *
     * @return false to stop following (the viewer went away); {@link #segmentEnded} is then not called
     */
    boolean onBytes(ByteBuf bytes);

    /**
     * No bytes follow.
     *
     * @param complete true when the segment was finished (everything was sent), false when it was
     *        dropped unfinished (the stream was closed): what was sent is then not a whole segment
     */
    void segmentEnded(boolean complete);
}
