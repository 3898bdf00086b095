package io.openivs.server.media;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * H.264 decoder configuration of a video track, as read from the stream itself (never from what
 * the publisher claims in metadata). Immutable.
 *
 * <p>It holds the parameter sets of the stream: {@link MediaFrame}s carry none, so a muxer that
 * wants them in band (MPEG-TS) or in a sample entry (fMP4's avcC) takes them from here.
 */
public final class VideoConfig {

    /** Every sequence parameter set, first the one the dimensions come from. */
    private final List<byte[]> spsList;

    private final List<byte[]> ppsList;
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
    public VideoConfig(
            byte[] sps,
            byte[] pps,
            int width,
            int height,
            int profileIdc,
            int constraintFlags,
            int levelIdc,
            double frameRate) {
        this(List.of(sps), List.of(pps), width, height, profileIdc, constraintFlags, levelIdc, frameRate);
    }

    /**
     * @param spsList the sequence parameter set NAL units (header byte included, no start code),
     *        first the one the other arguments describe; not empty
     * @param ppsList the picture parameter set NAL units; not empty
     */
    public VideoConfig(
            List<byte[]> spsList,
            List<byte[]> ppsList,
            int width,
            int height,
            int profileIdc,
            int constraintFlags,
            int levelIdc,
            double frameRate) {
        if (spsList.isEmpty() || ppsList.isEmpty()) {
            throw new IllegalArgumentException("no SPS or no PPS");
        }
        this.spsList = copy(spsList);
        this.ppsList = copy(ppsList);
        this.width = width;
        this.height = height;
        this.profileIdc = profileIdc;
        this.constraintFlags = constraintFlags;
        this.levelIdc = levelIdc;
        this.frameRate = frameRate;
        this.codec = String.format("avc1.%02X%02X%02X", profileIdc, constraintFlags, levelIdc);
    }

    /** The first sequence parameter set, the one the dimensions and codec string come from. */
    public byte[] sps() {
        return spsList.get(0).clone();
    }

    /** The first picture parameter set. */
    public byte[] pps() {
        return ppsList.get(0).clone();
    }

    /** Every sequence parameter set of the stream (usually one), as NAL units without start codes. */
    public List<byte[]> spsList() {
        return copy(spsList);
    }

    /** Every picture parameter set of the stream (usually one), as NAL units without start codes. */
    public List<byte[]> ppsList() {
        return copy(ppsList);
    }

    /** Whether {@code nal} is one of this configuration's parameter sets, byte for byte. */
    public boolean holds(byte[] nal) {
        for (List<byte[]> list : List.of(spsList, ppsList)) {
            for (byte[] p : list) {
                if (Arrays.equals(p, nal)) {
                    return true;
                }
            }
        }
        return false;
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
        return o instanceof VideoConfig
                && sameNals(spsList, ((VideoConfig) o).spsList)
                && sameNals(ppsList, ((VideoConfig) o).ppsList);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (List<byte[]> list : List.of(spsList, ppsList)) {
            for (byte[] nal : list) {
                h = 31 * h + Arrays.hashCode(nal);
            }
        }
        return h;
    }

    private static boolean sameNals(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<byte[]> copy(List<byte[]> nals) {
        List<byte[]> out = new ArrayList<>(nals.size());
        for (byte[] nal : nals) {
            out.add(nal.clone());
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "VideoConfig(" + codec() + ", " + width + "x" + height
                + (hasFrameRate() ? ", " + frameRate + " fps" : "") + ")";
    }
}
