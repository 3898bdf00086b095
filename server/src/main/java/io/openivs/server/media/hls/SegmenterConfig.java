package io.openivs.server.media.hls;

import java.time.Duration;

/**
 * How a {@link Segmenter} cuts.
 *
 * @param targetDuration segments end at the first video keyframe at least this long after their start
 * @param windowSize finished segments kept for the live playlist
 * @param jumpThreshold a timestamp step larger than this, either way, within one track is a discontinuity
 */
public record SegmenterConfig(Duration targetDuration, int windowSize, Duration jumpThreshold) {

    /** IVS-like live HLS: 2 s segments, six in the playlist, discontinuity on jumps of 3 s. */
    public static final SegmenterConfig DEFAULT = new SegmenterConfig(Duration.ofSeconds(2), 6, Duration.ofSeconds(3));

    public SegmenterConfig {
        if (targetDuration.toMillis() < 100) {
            throw new IllegalArgumentException("target duration below 100 ms");
        }
        if (windowSize < 1) {
            throw new IllegalArgumentException("window must hold at least one segment");
        }
        if (jumpThreshold.compareTo(targetDuration) <= 0) {
            throw new IllegalArgumentException("jump threshold must exceed the target duration");
        }
    }

    /** Both modes use the same segments; see {@link LatencyMode}. */
    public static SegmenterConfig forLatencyMode(LatencyMode mode) {
        return DEFAULT;
    }

    public SegmenterConfig withWindowSize(int size) {
        return new SegmenterConfig(targetDuration, size, jumpThreshold);
    }

    public SegmenterConfig withTargetDuration(Duration duration) {
        return new SegmenterConfig(duration, windowSize, jumpThreshold);
    }
}
