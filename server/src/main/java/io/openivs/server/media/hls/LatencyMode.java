package io.openivs.server.media.hls;

/**
 * A channel's latencyMode as it bears on segmenting. Real IVS serves 2 s segments in both modes
 * (reference §8.1). LOW adds LL-HLS partial segments inside the same segments
 * ({@link Segmenter#cutParts}), but only where segments are fMP4 (containerFormat FRAGMENTED_MP4):
 * a part is an fMP4 fragment, and a LOW channel left at the API's default TS container keeps
 * regular HLS.
 */
public enum LatencyMode {
    LOW,
    NORMAL
}
