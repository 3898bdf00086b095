package io.openivs.server.live;

/**
 * What a channel type accepts from its publisher (User Guide, "IVS Channel Types"): every type takes up to
 * 1080p; BASIC takes 1.5 Mbps up to 480p and 3.5 Mbps above, the transcoded types 8.5 Mbps.
 * Resolution is compared as total pixels, so portrait 1080x1920 passes like 1920x1080.
 */
record IngestLimits(long maxPixels, long maxBitrateSd, long maxBitrateHd) {
    static final String RESOLUTION = "Ingest Resolution";
    static final String BITRATE = "Ingest Bitrate";
    static final String PIXELS = "total pixels";
    static final String BITS_PER_SECOND = "bits per second";

    private static final long FULL_HD_PIXELS = 1920L * 1080;
    private static final int SD_HEIGHT = 480;

    static IngestLimits forChannelType(String type) {
        if ("BASIC".equals(type)) {
            return new IngestLimits(FULL_HD_PIXELS, 1_500_000, 3_500_000);
        }
        return new IngestLimits(FULL_HD_PIXELS, 8_500_000, 8_500_000);
    }

    /** Bits per second allowed for video of this size (the short edge decides SD, for portrait too). */
    long maxBitrate(int width, int height) {
        return Math.min(width, height) > SD_HEIGHT ? maxBitrateHd : maxBitrateSd;
    }

    /** Pixels over the limit, or 0. */
    long pixelsOver(int width, int height) {
        return Math.max(0, (long) width * height - maxPixels);
    }
}
