package io.openivs.server.media.h264;

/**
 * The fields of an H.264 sequence parameter set that playback needs.
 *
 * @param width displayed width after cropping
 * @param height displayed height after cropping
 * @param frameRate frames per second from VUI timing info, 0 when absent
 */
public record Sps(
        int profileIdc,
        int constraintFlags,
        int levelIdc,
        int chromaFormatIdc,
        int width,
        int height,
        double frameRate) {}
