package io.openivs.server.media.fmp4;

import io.netty.buffer.ByteBuf;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.PartialSegmentWriter;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.TimedMetadata;

/**
 * The audio track alone of a stream with video, as fMP4 segments and parts: a segmenter fed the
 * whole stream still cuts on its video keyframes, so these segments and parts start and end where
 * the full rendition's do, under the same numbers, while video frames are dropped here. A stream
 * without video has no audio-only rendition besides its own, so such segments stay empty.
 */
public final class AudioOnlySegmentWriter implements PartialSegmentWriter {

    private final Fmp4SegmentWriter fmp4;
    /** Whether the segment being written keeps its audio: only when the stream has video too. */
    private boolean keep;

    public AudioOnlySegmentWriter(Fmp4SegmentWriter fmp4) {
        this.fmp4 = fmp4;
    }

    @Override
    public String extension() {
        return fmp4.extension();
    }

    /** Segments record no video configuration: their init segment and CODECS are the audio track's. */
    @Override
    public boolean writesVideo() {
        return false;
    }

    @Override
    public void startSegment(SegmentStart start) {
        keep = start.video() != null;
        fmp4.startSegment(new SegmentStart(
                start.sequence(), start.discontinuity(), null, keep ? start.audio() : null, start.timestampOffset()));
    }

    @Override
    public void writeFrame(MediaFrame frame) {
        if (keep && !frame.isVideo()) {
            fmp4.writeFrame(frame);
        }
    }

    @Override
    public void writeMetadata(TimedMetadata item) {
        fmp4.writeMetadata(item);
    }

    @Override
    public boolean fragmentIsIndependent() {
        return true; // every AAC frame decodes on its own
    }

    /** Chunks are cut where the full rendition's are (at its video frames), so both grow alike. */
    @Override
    public ByteBuf finishChunk(long end) {
        return fmp4.finishChunk(end);
    }

    @Override
    public ByteBuf finishFragment() {
        return fmp4.finishFragment();
    }

    @Override
    public ByteBuf finishSegment() {
        return fmp4.finishSegment();
    }

    @Override
    public void close() {
        fmp4.close();
    }
}
