package io.openivs.server.media;

/**
 * What a {@link SegmentWriter} needs to know when a segment begins.
 *
 * @param sequence media sequence number of the segment
 * @param discontinuity true when timestamps or encoding do not continue from the previous segment
 * @param video video configuration, or null when the stream has no video
 * @param audio audio configuration, or null when the stream has no audio
 * @param timestampOffset 90 kHz ticks the writer adds to every frame timestamp of the segment, so
 *        the output timeline runs on across reconnects and jumps instead of restarting
 */
public record SegmentStart(
        long sequence, boolean discontinuity, VideoConfig video, AudioConfig audio, long timestampOffset) {}
