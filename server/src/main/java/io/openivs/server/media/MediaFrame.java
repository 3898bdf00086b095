package io.openivs.server.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One access unit of one track: an H.264 access unit or one raw AAC frame (no ADTS header).
 *
 * <p>Video is in the one form the whole pipeline carries: each NAL unit behind a 4-byte
 * big-endian length (AVCC, as FLV delivers it and an MP4 sample holds it), with no access unit
 * delimiter and no parameter sets: the SPS and PPS are in the {@link VideoConfig}. fMP4 writes
 * the bytes as they are; the MPEG-TS writer alone turns them into Annex-B (start codes, a
 * delimiter, the parameter sets before every IDR).
 *
 * <p>Timestamps are in a 90 kHz clock counted from the start of the publisher session, so they
 * restart near zero after a reconnect. {@code pts} may exceed {@code dts} when the stream has
 * B-frames.
 *
 * <p>Reference counted through its payload. A {@link MediaSink} receives frames borrowed for the
 * duration of the call and must {@link #retain()} one it keeps.
 */
public final class MediaFrame extends DefaultByteBufHolder {

    /** Ticks per second of {@link #dts()} and {@link #pts()}. */
    public static final int CLOCK_RATE = 90_000;

    private final TrackType track;
    private final long dts;
    private final long pts;
    private final boolean keyframe;

    public MediaFrame(TrackType track, long dts, long pts, boolean keyframe, ByteBuf payload) {
        super(payload);
        this.track = track;
        this.dts = dts;
        this.pts = pts;
        this.keyframe = keyframe;
    }

    public TrackType track() {
        return track;
    }

    public boolean isVideo() {
        return track == TrackType.VIDEO;
    }

    /** Decode time, 90 kHz. */
    public long dts() {
        return dts;
    }

    /** Presentation time, 90 kHz. */
    public long pts() {
        return pts;
    }

    /**
     * True for a video access unit holding an IDR picture (a place a decoder can start, and where
     * the TS writer puts the parameter sets); always true for audio.
     */
    public boolean isKeyframe() {
        return keyframe;
    }

    /** The payload, borrowed: readable bytes are the frame. */
    public ByteBuf payload() {
        return content();
    }

    @Override
    public MediaFrame replace(ByteBuf content) {
        return new MediaFrame(track, dts, pts, keyframe, content);
    }

    @Override
    public MediaFrame copy() {
        return (MediaFrame) super.copy();
    }

    @Override
    public MediaFrame duplicate() {
        return (MediaFrame) super.duplicate();
    }

    @Override
    public MediaFrame retainedDuplicate() {
        return (MediaFrame) super.retainedDuplicate();
    }

    @Override
    public MediaFrame retain() {
        super.retain();
        return this;
    }

    @Override
    public MediaFrame retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public MediaFrame touch() {
        super.touch();
        return this;
    }

    @Override
    public MediaFrame touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "MediaFrame(" + track + ", dts=" + dts + ", pts=" + pts + (keyframe ? ", key" : "") + ", "
                + content().readableBytes() + " bytes)";
    }
}
