package io.openivs.server.media.h264;

/**
 * H.264 profile names by profile_idc (ITU-T H.264 Annex A), as the IVS API reports a publisher's
 * {@code avcProfile}.
 */
public final class AvcProfiles {
    private AvcProfiles() {}

    /** The profile's name, or "Unknown" for an idc IVS does not name. */
    public static String name(int profileIdc) {
        switch (profileIdc) {
            case 66:
                return "Baseline";
            case 77:
                return "Main";
            case 88:
                return "Extended";
            case 100:
                return "High";
            case 110:
                return "High 10";
            case 122:
                return "High 4:2:2";
            case 244:
                return "High 4:4:4";
            default:
                return "Unknown";
        }
    }

    /** The level as IVS writes it: level_idc 31 is "3.1". */
    public static String level(int levelIdc) {
        return (levelIdc / 10) + "." + (levelIdc % 10);
    }
}
