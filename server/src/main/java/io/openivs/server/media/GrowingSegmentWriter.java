package io.openivs.server.media;

import io.netty.buffer.ByteBuf;

/**
 * A {@link SegmentWriter} whose segment in progress can be read while it grows, so it can be sent
 * before it is finished (the LHLS prefetch form): bytes once written never change, and the
 * finished segment begins with exactly the bytes read so far.
 */
public interface GrowingSegmentWriter extends SegmentWriter {

    /** Bytes of the segment in progress written so far (0 between segments). */
    long writtenBytes();

    /**
     * Bytes {@code [from, to)} of the segment in progress as a view the caller owns and releases:
     * no copy, however many internal blocks they span.
     */
    ByteBuf written(long from, long to);
}
