package io.openivs.server.media.fmp4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.SegmentWriter;

/**
 * Writes HLS fMP4 media segments (CMAF-style fragments, audio and video muxed together): each a
 * run of moof/mdat fragments for the tracks the init segment ({@link InitSegment}, named by
 * EXT-X-MAP) describes. By default a segment is one fragment; a caller producing LL-HLS parts
 * calls {@link #finishFragment()} at each part boundary and gets that part's bytes, while the
 * segment stays the concatenation of its parts (shared, not copied).
 *
 * <p>Video keeps the 90 kHz frame clock, so decode times and composition offsets are the frame
 * timestamps plus {@link SegmentStart#timestampOffset()}; tfdt continues across segments. One
 * instance per output stream, driven by one thread.
 */
public final class Fmp4SegmentWriter implements SegmentWriter {

    private static final int MAX_COMPONENTS = 1024;

    private final ByteBufAllocator alloc;
    private final FragmentWriter fragments;
    private CompositeByteBuf segment;
    private long offset;

    public Fmp4SegmentWriter(ByteBufAllocator alloc) {
        this.alloc = alloc;
        this.fragments = new FragmentWriter(alloc);
    }

    @Override
    public String extension() {
        return "m4s";
    }

    @Override
    public void startSegment(SegmentStart start) {
        if (segment != null) {
            throw new IllegalStateException("segment already started");
        }
        if (start.discontinuity()) {
            fragments.reset();
        }
        fragments.configure(start.video(), start.audio());
        offset = start.timestampOffset();
        segment = alloc.compositeBuffer(MAX_COMPONENTS);
    }

    @Override
    public void writeFrame(MediaFrame frame) {
        if (segment == null) {
            throw new IllegalStateException("no segment started");
        }
        if (frame.isVideo()) {
            fragments.addVideo(frame.dts() + offset, frame.pts() + offset, frame.isKeyframe(), frame.payload());
        } else {
            fragments.addAudio(frame.dts() + offset, frame.payload());
        }
    }

    /** Whether the fragment in progress starts with a video keyframe (or has no video); ask before finishing it. */
    public boolean fragmentIsIndependent() {
        return fragments.isIndependent();
    }

    /**
     * Duration of the fragment in progress in 90 kHz ticks, 0 when it is empty; the last frame
     * counts with the duration of the one before it, as it will be written.
     */
    public long fragmentDurationTicks() {
        return fragments.durationTicks();
    }

    /**
     * Closes the fragment in progress (an LL-HLS part); the segment goes on with a new one.
     *
     * @return the fragment's bytes for the caller to own and release, or null when it was empty
     */
    public ByteBuf finishFragment() {
        if (segment == null) {
            throw new IllegalStateException("no segment started");
        }
        ByteBuf fragment = fragments.finish();
        if (fragment == null) {
            return null;
        }
        ByteBuf part = fragment.retainedDuplicate();
        segment.addFlattenedComponents(true, fragment);
        return part;
    }

    @Override
    public ByteBuf finishSegment() {
        if (segment == null) {
            throw new IllegalStateException("no segment started");
        }
        ByteBuf last = fragments.finish();
        if (last != null) {
            segment.addFlattenedComponents(true, last);
        }
        ByteBuf done = segment;
        segment = null;
        return done;
    }

    @Override
    public void close() {
        fragments.close();
        if (segment != null) {
            segment.release();
            segment = null;
        }
    }
}
