package io.openivs.server.media;

import java.util.Arrays;
import java.util.Objects;

/**
 * H.264 decoder configuration of a video track, as read from the stream itself (never from what
 * the publisher claims in metadata). Immutable.
 */
public final class VideoConfig {

    private final byte[] sps;
    private final byte[] pps;
    private final int width;
    private final int height;
    private final int profileIdc;
    private final int constraintFlags;
    private final int levelIdc;
    private final double frameRate;
    /** Asked for by every playlist render; formatted once. */
    private final String codec;

    /**
     * @param sps the first sequence parameter set NAL unit, header byte included, no start code
     * @param pps the first picture parameter set NAL unit, header byte included, no start code
     * @param frameRate frames per second from the VUI timing info, or 0 when not signalled
     */
    public VideoConfig(byte[] sps, byte[] pps, int width, int height, int profileIdc, int constraintFlags,
            int levelIdc, double frameRate) {
        this.sps = sps.clone();
        this.pps = pps.clone();
        this.width = width;
        this.height = height;
        this.profileIdc = profileIdc;
        this.constraintFlags = constraintFlags;
        this.levelIdc = levelIdc;
        this.frameRate = frameRate;
        this.codec = String.format("avc1.%02X%02X%02X", profileIdc, constraintFlags, levelIdc);
    }

    public byte[] sps() {
        return sps.clone();
    }

    public byte[] pps() {
        return pps.clone();
    }

    /** Displayed width in pixels, after cropping. */
    public int width() {
        return width;
    }

    /** Displayed height in pixels, after cropping. */
    public int height() {
        return height;
    }

    public int profileIdc() {
        return profileIdc;
    }

    /** The byte after profile_idc in the SPS (constraint_set flags). */
    public int constraintFlags() {
        return constraintFlags;
    }

    public int levelIdc() {
        return levelIdc;
    }

    /** Frames per second signalled in the SPS, or 0 when unknown. */
    public double frameRate() {
        return frameRate;
    }

    public boolean hasFrameRate() {
        return frameRate > 0;
    }

    /** RFC 6381 codec string, e.g. {@code avc1.64001F}. */
    public String codec() {
        return codec;
    }

    @Override
    public boolean equals(Object o) {
        // Everything else is derived from the parameter sets.
        return o instanceof VideoConfig && Arrays.equals(sps, ((VideoConfig) o).sps)
                && Arrays.equals(pps, ((VideoConfig) o).pps);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(sps), Arrays.hashCode(pps));
    }

    @Override
    public String toString() {
        return "VideoConfig(" + codec() + ", " + width + "x" + height
                + (hasFrameRate() ? ", " + frameRate + " fps" : "") + ")";
    }
}
