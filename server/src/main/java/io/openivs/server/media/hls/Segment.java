package io.openivs.server.media.hls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.SegmentFiles;
import io.openivs.server.media.VideoConfig;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A finished media segment: immutable bytes plus what a playlist says about them. The
 * {@link Segmenter} holds the one reference to the bytes while the segment is in its window;
 * every reader takes its own with {@link #retainedData()}, which copies nothing.
 */
public final class Segment {

    private final long sequence;
    private final long durationTicks;
    private final boolean discontinuity;
    private final long discontinuitySequence;
    private final long programDateTime;
    private final ByteBuf data;
    private final VideoConfig video;
    private final AudioConfig audio;
    private final List<DateRange> dateRanges;
    private final List<Part> parts;
    private final int size;
    /** Whether the bytes are in a segment file, so they can be sent with sendfile ({@link SegmentFiles}). */
    private final boolean inFile;
    /**
     * The window's hold on {@link #data} (1) plus readers on other threads taking their own reference
     * right now; the bytes go back to the pool when it drops to 0. Counted here, not on the ByteBuf,
     * because a pooled ByteBuf is recycled once released: retaining a released one could pick up
     * another segment's bytes.
     */
    private final AtomicInteger holds = new AtomicInteger(1);

    /** What a segment is made of: its number, duration and bytes, then what its playlist entry says. */
    static final class Builder {
        private final long sequence;
        private final long durationTicks;
        private final ByteBuf data;
        private boolean discontinuity;
        private long discontinuitySequence;
        private long programDateTime;
        private VideoConfig video;
        private AudioConfig audio;
        private List<DateRange> dateRanges = List.of();
        private List<Part> parts = List.of();

        private Builder(long sequence, long durationTicks, ByteBuf data) {
            this.sequence = sequence;
            this.durationTicks = durationTicks;
            this.data = data;
        }

        /** Whether a discontinuity goes before it, and its discontinuity sequence number (RFC 8216 6.2.2). */
        Builder discontinuity(boolean discontinuity, long discontinuitySequence) {
            this.discontinuity = discontinuity;
            this.discontinuitySequence = discontinuitySequence;
            return this;
        }

        Builder programDateTime(long epochMillis) {
            this.programDateTime = epochMillis;
            return this;
        }

        /** The configurations of its tracks; null for a track it does not have. */
        Builder tracks(VideoConfig video, AudioConfig audio) {
            this.video = video;
            this.audio = audio;
            return this;
        }

        Builder dateRanges(List<DateRange> dateRanges) {
            this.dateRanges = dateRanges;
            return this;
        }

        Builder parts(List<Part> parts) {
            this.parts = parts;
            return this;
        }

        /** The segment, holding {@code data}'s one reference. */
        Segment build() {
            return new Segment(this);
        }
    }

    /** @param data the bytes, whose one reference the segment takes */
    static Builder builder(long sequence, long durationTicks, ByteBuf data) {
        return new Builder(sequence, durationTicks, data);
    }

    private Segment(Builder b) {
        this.parts = List.copyOf(b.parts);
        this.dateRanges = List.copyOf(b.dateRanges);
        this.sequence = b.sequence;
        this.durationTicks = b.durationTicks;
        this.discontinuity = b.discontinuity;
        this.discontinuitySequence = b.discontinuitySequence;
        this.programDateTime = b.programDateTime;
        this.data = b.data.asReadOnly();
        this.size = b.data.readableBytes();
        this.inFile = SegmentFiles.inFile(b.data);
        this.video = b.video;
        this.audio = b.audio;
    }

    /** Media sequence number. */
    public long sequence() {
        return sequence;
    }

    /** Duration in 90 kHz ticks. */
    public long durationTicks() {
        return durationTicks;
    }

    public double durationSeconds() {
        return durationTicks / (double) MediaFrame.CLOCK_RATE;
    }

    /** Whether an EXT-X-DISCONTINUITY tag goes before this segment. */
    public boolean discontinuity() {
        return discontinuity;
    }

    /** Discontinuity sequence number of this segment (RFC 8216 6.2.2): discontinuities up to and including its own. */
    public long discontinuitySequence() {
        return discontinuitySequence;
    }

    /** Wall-clock time of the segment's first frame, epoch milliseconds. */
    public long programDateTime() {
        return programDateTime;
    }

    /** Size in bytes. */
    public int size() {
        return size;
    }

    /**
     * A read-only view of the bytes with its own reference, for one reader who must release it.
     * Call on the segmenter's thread (or before the segment can leave the window).
     */
    public ByteBuf retainedData() {
        return data.retainedDuplicate();
    }

    /**
     * Like {@link #retainedData()}, from any thread: null once the segment has left the window and
     * its bytes are gone. Lets playback serve a published snapshot of the window without the owner thread.
     */
    public ByteBuf tryRetainedData() {
        int h;
        do {
            h = holds.get();
            if (h == 0) {
                return null;
            }
        } while (!holds.compareAndSet(h, h + 1));
        try {
            return data.retainedDuplicate();
        } finally {
            dropHold();
        }
    }

    /**
     * {@code head} (an HTTP response head, the same for every caller) followed by the bytes, as one
     * region of the file that holds them, for sendfile, with its own reference (released with the
     * region), from any thread; null when they are not in a file ({@link #tryRetainedData()} then) or
     * once the segment has left the window.
     */
    public FileRegion tryRetainedRegion(ByteBuf head) {
        if (!inFile) {
            return null;
        }
        int h;
        do {
            h = holds.get();
            if (h == 0) {
                return null;
            }
        } while (!holds.compareAndSet(h, h + 1));
        try {
            return SegmentFiles.retainedRegion(data, head);
        } finally {
            dropHold();
        }
    }

    private void dropHold() {
        if (holds.decrementAndGet() == 0) {
            data.release();
        }
    }

    /** The video configuration the segment was written with, or null for audio only. */
    public VideoConfig video() {
        return video;
    }

    /** The audio configuration the segment was written with, or null for video only. */
    public AudioConfig audio() {
        return audio;
    }

    /** The date ranges (ad breaks) that start within this segment, in the order they were added. */
    public List<DateRange> dateRanges() {
        return dateRanges;
    }

    /** Its LL-HLS partial segments, in order; empty when the segmenter cuts none. */
    public List<Part> parts() {
        return parts;
    }

    void release() {
        parts.forEach(Part::release);
        dropHold();
    }

    @Override
    public String toString() {
        return "Segment(" + sequence + ", " + String.format("%.3f", durationSeconds()) + " s, " + size() + " bytes"
                + (discontinuity ? ", discontinuity" : "") + ")";
    }
}
