package io.openivs.server.media;

import io.netty.buffer.ByteBuf;

/**
 * A {@link SegmentWriter} whose segments can be closed off piece by piece, for LL-HLS partial
 * segments: a segment is the concatenation of its parts, and a part the concatenation of chunks
 * that each play on their own once the init segment is known, so a part can be sent while written.
 */
public interface PartialSegmentWriter extends SegmentWriter {

    /** Whether the part in progress starts with a video keyframe (or has no video); ask before finishing it. */
    boolean fragmentIsIndependent();

    /**
     * Closes what was written since the last chunk as the part's next chunk.
     *
     * @param end input decode time of the video frame about to be written (which ends the chunk's
     *        last frame), or {@link Long#MIN_VALUE} when not known
     * @return the chunk's bytes, a view for the caller to own and release, or null when nothing was written
     */
    ByteBuf finishChunk(long end);

    /**
     * Ends the part in progress, what was written since the last chunk being its last chunk; the
     * segment goes on with a new part.
     *
     * @return the part's bytes for the caller to own and release, or null when it was empty
     */
    ByteBuf finishFragment();
}
