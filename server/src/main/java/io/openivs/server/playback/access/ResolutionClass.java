package io.openivs.server.playback.access;

/**
 * The {@code aws:maximum-resolution} claim. A rendition belongs to a class by its shorter side,
 * so portrait and landscape video of the same size rank alike (IVS does not say; our choice).
 */
public enum ResolutionClass {
    SD(480),
    HD(720),
    FULL_HD(1080);

    private final int maxShortSide;

    ResolutionClass(int maxShortSide) {
        this.maxShortSide = maxShortSide;
    }

    /** Audio-only renditions (no size) are always admitted. */
    public boolean admits(int width, int height) {
        return Math.min(width, height) <= maxShortSide;
    }

    /** The class of this name, or null (none, or not a name of ours). */
    public static ResolutionClass named(String s) {
        return s == null ? null : parse(s);
    }

    static ResolutionClass parse(String s) {
        for (ResolutionClass c : values()) {
            if (c.name().equals(s)) {
                return c;
            }
        }
        return null;
    }
}
