package io.openivs.server.media.ts;

import io.netty.buffer.ByteBuf;
import io.openivs.server.media.GrowingSegmentWriter;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.TimedMetadata;

/**
 * The audio track alone of a stream with video, as MPEG-TS segments (an ADVANCED channel's
 * audio_only rendition on a TS channel): the segmenter, fed the whole stream, cuts on its video
 * keyframes, so these segments start and end where the full rendition's do, under the same numbers;
 * the video is left out here. A stream without video has no audio_only rendition besides its own,
 * so its segments here stay empty, as {@code fmp4.AudioOnlySegmentWriter}'s do.
 */
public final class AudioOnlyTsWriter implements GrowingSegmentWriter {
    private final TsSegmentWriter ts;

    public AudioOnlyTsWriter(TsSegmentWriter ts) {
        this.ts = ts;
    }

    @Override
    public String extension() {
        return ts.extension();
    }

    /** Segments record no video configuration: their CODECS are the audio track's. */
    @Override
    public boolean writesVideo() {
        return false;
    }

    @Override
    public void startSegment(SegmentStart start) {
        // Without a video configuration the TS writer declares no video stream and drops video frames.
        ts.startSegment(new SegmentStart(
                start.sequence(),
                start.discontinuity(),
                null,
                start.video() != null ? start.audio() : null,
                start.timestampOffset()));
    }

    @Override
    public void writeFrame(MediaFrame frame) {
        ts.writeFrame(frame);
    }

    @Override
    public void writeMetadata(TimedMetadata item) {
        ts.writeMetadata(item);
    }

    @Override
    public ByteBuf finishSegment() {
        return ts.finishSegment();
    }

    @Override
    public long writtenBytes() {
        return ts.writtenBytes();
    }

    @Override
    public ByteBuf written(long from, long to) {
        return ts.written(from, to);
    }

    @Override
    public void close() {
        ts.close();
    }
}
