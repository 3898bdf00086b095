package io.openivs.server.media;

import io.netty.buffer.ByteBuf;

/**
 * A {@link SegmentWriter} whose segments can be closed off piece by piece, for LL-HLS partial
 * segments: a segment is the concatenation of its parts.
 */
public interface PartialSegmentWriter extends SegmentWriter {

    /** Whether the part in progress starts with a video keyframe (or has no video); ask before finishing it. */
    boolean fragmentIsIndependent();

    /**
     * Ends the part in progress; the segment goes on with a new one.
     *
     * @return the part's bytes for the caller to own and release, or null when it was empty
     */
    ByteBuf finishFragment();
}
