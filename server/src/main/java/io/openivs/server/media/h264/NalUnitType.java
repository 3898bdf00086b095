package io.openivs.server.media.h264;

/** The nal_unit_type values this code acts on (ITU-T H.264 table 7-1). */
public final class NalUnitType {
    public static final int NON_IDR = 1;
    public static final int IDR = 5;
    public static final int SEI = 6;
    public static final int SPS = 7;
    public static final int PPS = 8;
    public static final int AUD = 9;

    private NalUnitType() {}
}
