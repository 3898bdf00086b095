package io.openivs.server.media;

import io.netty.buffer.ByteBuf;

/**
 * Turns the frames of one segment into container bytes (MPEG-TS; fMP4 writers also produce parts, see
 * {@link PartialSegmentWriter}). A segmenter decides where segments start and end; the writer only produces bytes. State that spans
 * segments (continuity counters, sequence numbers) lives in the writer, so one writer serves one
 * output stream for its whole life.
 *
 * <p>Call order: {@code startSegment, (writeFrame | writeMetadata)*, finishSegment}, repeated; then {@link #close()}.
 */
public interface SegmentWriter extends AutoCloseable {

    /** File name extension of the segments, without dot ({@code ts}, {@code m4s}). */
    String extension();

    /**
     * Whether segments carry the video track when the stream has one; a writer that keeps only
     * audio says no, so its segments record no video configuration.
     */
    default boolean writesVideo() {
        return true;
    }

    /** Begins a segment; the first video frame written after this is a keyframe when there is video. */
    void startSegment(SegmentStart start);

    /**
     * Appends one frame, at its timestamps plus {@link SegmentStart#timestampOffset()}; frames of
     * one track come in increasing decode order. The frame stays owned by the caller.
     */
    void writeFrame(MediaFrame frame);

    /**
     * Appends timed metadata at its {@link TimedMetadata#pts()} plus the segment's offset, which
     * the caller keeps within the segment (not before its first frame).
     */
    void writeMetadata(TimedMetadata item);

    /** Ends the segment and hands its bytes to the caller, who then owns (and releases) them. */
    ByteBuf finishSegment();

    /** Releases a segment in progress, if any. */
    @Override
    void close();
}
