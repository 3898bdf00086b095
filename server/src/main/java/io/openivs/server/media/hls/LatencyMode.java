package io.openivs.server.media.hls;

/**
 * A channel's latencyMode as it bears on segmenting. Real IVS serves 2 s segments in both modes
 * (reference §8.1); LOW differs by announcing segments before they are complete, which the
 * partial-segment work adds on top of the same segment boundaries.
 */
public enum LatencyMode {
    LOW,
    NORMAL
}
