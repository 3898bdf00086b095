package io.openivs.server.live;

import io.openivs.server.media.VideoConfig;

/**
 * Whether a publisher stays within its channel type's {@link IngestLimits}: resolution is judged on
 * each video sequence header (before any segment or Stream Start), bitrate on a {@link #BITRATE_WINDOW_MS}
 * average at the heartbeat, so a keyframe burst alone is no breach. A breach disconnects the publisher
 * with a "Limit Breach" event (Amazon IVS User Guide, "Service Quotas" and "Using Amazon EventBridge
 * with IVS").
 */
final class IngestPolicy {
    /** Ingest bitrate is judged on this average. */
    static final long BITRATE_WINDOW_MS = 10_000;

    /** What went over which limit; the event's and log's terms. */
    record Breach(String limit, long limitValue, long exceededBy, String unit) {}

    private final IngestLimits limits;
    // The bitrate window, guarded by the caller (the stream's heartbeat lock).
    private long windowAt;
    private long windowBytes;

    IngestPolicy(IngestLimits limits) {
        this.limits = limits;
    }

    /** The breach a new video configuration makes, or null. */
    Breach resolution(VideoConfig video) {
        long over = limits.pixelsOver(video.width(), video.height());
        return over > 0 ? new Breach(IngestLimits.RESOLUTION, limits.maxPixels(), over, IngestLimits.PIXELS) : null;
    }

    /** The publisher started: the first window begins now. */
    void start(long now) {
        windowAt = now;
    }

    /**
     * At a heartbeat: the breach of the window that ended now, or null (also while the window is
     * still open or before any media).
     *
     * @param bytes media bytes received so far in the session
     * @param video the current video configuration, null when there is none (judged as HD)
     */
    Breach bitrate(long now, boolean hadMedia, long bytes, VideoConfig video) {
        long elapsed = now - windowAt;
        if (elapsed < BITRATE_WINDOW_MS || !hadMedia) {
            return null;
        }
        long bitrate = (bytes - windowBytes) * 8_000 / elapsed;
        windowAt = now;
        windowBytes = bytes;
        long max = video == null ? limits.maxBitrateHd() : limits.maxBitrate(video.width(), video.height());
        return bitrate > max
                ? new Breach(IngestLimits.BITRATE, max, bitrate - max, IngestLimits.BITS_PER_SECOND)
                : null;
    }
}
