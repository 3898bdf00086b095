package io.openivs.server.media.hls;

import io.netty.buffer.ByteBuf;

/**
 * Someone sent the part being written as it grows (a viewer's response to the preload hint):
 * told of each CMAF chunk as it is closed, then of the part's end. Called on the segmenter's thread.
 */
public interface PartFollower {

    /**
     * A chunk of the part, borrowed: take a reference ({@code retainedDuplicate}) to keep it.
     *
     * @return false to stop following (the viewer went away); {@link #partEnded} is then not called
     */
    boolean onChunk(ByteBuf chunk);

    /** The part is finished (or dropped with the stream): no chunk follows. */
    void partEnded();
}
