package io.openivs.server.media.fmp4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.PartialSegmentWriter;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.TimedMetadata;
import java.nio.charset.StandardCharsets;

/**
 * Writes HLS fMP4 media segments (CMAF-style fragments, audio and video muxed together): each a
 * run of moof/mdat fragments for the tracks the init segment ({@link InitSegment}, named by
 * EXT-X-MAP) describes. By default a segment is one fragment; a caller producing LL-HLS parts
 * calls {@link #finishFragment()} at each part boundary and gets that part's bytes, and may close
 * smaller CMAF chunks inside a part with {@link #finishChunk} (one per video frame, say) to send
 * the part while it grows. A segment stays the concatenation of its parts, a part of its chunks
 * (shared, not copied).
 *
 * <p>Video keeps the 90 kHz frame clock, so decode times and composition offsets are the frame
 * timestamps plus {@link SegmentStart#timestampOffset()}; tfdt continues across segments. One
 * instance per output stream, driven by one thread.
 */
public final class Fmp4SegmentWriter implements PartialSegmentWriter {

    /** Past this a composite consolidates (copies); a segment of one-frame chunks has a few per frame. */
    private static final int MAX_COMPONENTS = 1 << 16;
    /** The scheme hls.js and other CMAF players read as "message_data is an ID3 tag". */
    private static final byte[] ID3_SCHEME = "https://aomedia.org/emsg/ID3\0".getBytes(StandardCharsets.US_ASCII);
    /**
     * The scheme the Amazon IVS player reads as "message_data is an ID3 tag". Its MP4 reader takes
     * every emsg as version 0, whatever the version field says, and times it from the start of the
     * fragment that follows (measured in its browser test: from the segment's start, cues on LL-HLS
     * channels came late by the emsg's place in the segment).
     */
    private static final byte[] TWITCH_ID3_SCHEME = "urn:twitch:id3\0".getBytes(StandardCharsets.US_ASCII);

    private static final long NO_PTS = Long.MIN_VALUE;

    private final ByteBufAllocator alloc;
    private final FragmentWriter fragments;
    private CompositeByteBuf segment;
    /** The chunks of the part in progress, null before its first. */
    private CompositeByteBuf part;

    private boolean partIndependent;
    private long offset;
    /** emsg boxes waiting for the next fragment: CMAF puts them before the moof they accompany. */
    private ByteBuf pendingEvents;

    private int nextEventId;
    /** Presentation time of the first frame of the fragment in progress (input clock), {@link #NO_PTS} before it. */
    private long fragmentStartPts = NO_PTS;

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
        fragmentStartPts = NO_PTS;
        segment = alloc.compositeBuffer(MAX_COMPONENTS);
    }

    @Override
    public void writeFrame(MediaFrame frame) {
        if (segment == null) {
            throw new IllegalStateException("no segment started");
        }
        if (fragmentStartPts == NO_PTS) {
            fragmentStartPts = frame.pts();
        }
        if (frame.isVideo()) {
            fragments.addVideo(frame.dts() + offset, frame.pts() + offset, frame.isKeyframe(), frame.payload());
        } else {
            fragments.addAudio(frame.dts() + offset, frame.payload());
        }
    }

    /**
     * Timed ID3 metadata as {@code emsg} boxes (ISO/IEC 23009-1 5.10.3.3) written ahead of the
     * fragment being built, twice: version 1 with the aomedia scheme, on the same 90 kHz timeline as
     * the video tfdt, for hls.js and other CMAF players (unless the item is for the IVS player only);
     * version 0 with the IVS player's scheme, its time relative to the first frame of the fragment it
     * stands before (0 when that has none yet).
     */
    @Override
    public void writeMetadata(TimedMetadata item) {
        if (segment == null) {
            throw new IllegalStateException("no segment started");
        }
        byte[] id3 = item.id3();
        if (pendingEvents == null) {
            pendingEvents = alloc.buffer(2 * (64 + id3.length));
        }
        ByteBuf b = pendingEvents;
        int eventId = nextEventId++;
        if (!item.ivsPlayerOnly()) {
            b.writeInt(8 + 4 + 4 + 8 + 4 + 4 + ID3_SCHEME.length + 1 + id3.length)
                    .writeBytes(EMSG);
            b.writeInt(1 << 24); // version 1, flags 0
            b.writeInt(MediaFrame.CLOCK_RATE);
            b.writeLong(item.pts() + offset);
            b.writeInt(0xFFFFFFFF); // duration unknown: a cue, not a span
            b.writeInt(eventId);
            b.writeBytes(ID3_SCHEME);
            b.writeByte(0); // value: empty string
            b.writeBytes(id3);
        }

        long delta = fragmentStartPts == NO_PTS ? 0 : Math.max(0, item.pts() - fragmentStartPts);
        b.writeInt(8 + 4 + TWITCH_ID3_SCHEME.length + 1 + 4 * 4 + id3.length).writeBytes(EMSG);
        b.writeInt(0); // version 0, flags 0
        b.writeBytes(TWITCH_ID3_SCHEME);
        b.writeByte(0); // value: empty string
        b.writeInt(MediaFrame.CLOCK_RATE);
        b.writeInt((int) Math.min(delta, 0xFFFF_FFFFL)); // presentation_time_delta
        b.writeInt(0xFFFFFFFF);
        b.writeInt(eventId);
        b.writeBytes(id3);
    }

    private static final byte[] EMSG = {'e', 'm', 's', 'g'};

    /** The fragment with the waiting emsg boxes in front of it (either may be null). */
    private ByteBuf withEvents(ByteBuf fragment) {
        if (pendingEvents == null) {
            return fragment;
        }
        ByteBuf events = pendingEvents;
        pendingEvents = null;
        return fragment == null ? events : alloc.compositeBuffer(2).addComponents(true, events, fragment);
    }

    /** Whether the part in progress starts with a video keyframe (or has no video); ask before finishing it. */
    @Override
    public boolean fragmentIsIndependent() {
        return part != null ? partIndependent : fragments.isIndependent();
    }

    /**
     * Duration of the fragment in progress in 90 kHz ticks, 0 when it is empty; the last frame
     * counts with the duration of the one before it, as it will be written.
     */
    public long fragmentDurationTicks() {
        return fragments.durationTicks();
    }

    /**
     * Closes the samples written since the last chunk as one moof/mdat (with any waiting emsg in
     * front) that becomes the next piece of the part in progress.
     *
     * @param end input decode time of the video frame about to be written, which ends the chunk's
     *        last one, or {@link Long#MIN_VALUE} when not known
     * @return a view of the chunk for the caller to own and release, or null when no sample was written
     */
    @Override
    public ByteBuf finishChunk(long end) {
        if (segment == null) {
            throw new IllegalStateException("no segment started");
        }
        if (fragments.isEmpty()) {
            return null; // a lone emsg waits for samples to go in front of
        }
        ByteBuf chunk = closeChunk(end);
        ByteBuf view = chunk.retainedDuplicate();
        part.addFlattenedComponents(true, chunk);
        return view;
    }

    /** The open fragment, with waiting events, as the part's next chunk (null when both are empty); the caller adds it. */
    private ByteBuf closeChunk(long end) {
        boolean independent = fragments.isIndependent();
        ByteBuf chunk = withEvents(fragments.finish(end == Long.MIN_VALUE ? end : end + offset));
        fragmentStartPts = NO_PTS;
        if (chunk != null && part == null) {
            part = alloc.compositeBuffer(MAX_COMPONENTS);
            partIndependent = independent;
        }
        return chunk;
    }

    /**
     * Closes the part in progress (an LL-HLS part): its chunks, and the fragment in progress as
     * the last one. The segment goes on with a new part.
     *
     * @return the part's bytes for the caller to own and release, or null when it was empty
     */
    @Override
    public ByteBuf finishFragment() {
        if (segment == null) {
            throw new IllegalStateException("no segment started");
        }
        ByteBuf last = closeChunk(Long.MIN_VALUE);
        if (last != null) {
            part.addFlattenedComponents(true, last);
        }
        if (part == null) {
            return null;
        }
        CompositeByteBuf done = part;
        part = null;
        ByteBuf view = done.retainedDuplicate();
        segment.addFlattenedComponents(true, done);
        return view;
    }

    @Override
    public ByteBuf finishSegment() {
        if (segment == null) {
            throw new IllegalStateException("no segment started");
        }
        ByteBuf last = finishFragment();
        if (last != null) {
            last.release();
        }
        ByteBuf done = segment;
        segment = null;
        return done;
    }

    @Override
    public void close() {
        fragments.close();
        if (pendingEvents != null) {
            pendingEvents.release();
            pendingEvents = null;
        }
        if (part != null) {
            part.release();
            part = null;
        }
        if (segment != null) {
            segment.release();
            segment = null;
        }
    }
}
