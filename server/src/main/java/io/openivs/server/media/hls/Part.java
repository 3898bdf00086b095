package io.openivs.server.media.hls;

import io.netty.buffer.ByteBuf;
import io.openivs.server.media.MediaFrame;

/**
 * An LL-HLS partial segment: a finished piece of a segment (finished or still being written).
 * Like {@link Segment}, the owner holds the one reference and readers take their own.
 *
 * @param index position within its segment, from 0
 * @param durationTicks 90 kHz ticks, measured on the track segments are cut on
 * @param independent whether it starts with a keyframe (EXT-X-PART INDEPENDENT=YES)
 */
public record Part(long sequence, int index, long durationTicks, boolean independent, ByteBuf data) {

    public double durationSeconds() {
        return durationTicks / (double) MediaFrame.CLOCK_RATE;
    }

    public int size() {
        return data.readableBytes();
    }

    /** A read-only view with its own reference; call on the segmenter's thread. */
    public ByteBuf retainedData() {
        return data.retainedDuplicate();
    }

    void release() {
        data.release();
    }
}
