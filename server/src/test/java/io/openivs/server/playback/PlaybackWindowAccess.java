package io.openivs.server.playback;

import java.nio.charset.StandardCharsets;

/** Test access to a window's multivariant playlist text. */
public final class PlaybackWindowAccess {
    private PlaybackWindowAccess() {}

    /** The master for a token capped at {@code max} ("SD", "HD", "FULL_HD"). */
    public static String master(PlaybackWindow window, String max) {
        var b = window.master(new io.openivs.server.playback.access.Verdict(
                null, "*", "?token=t", io.openivs.server.playback.access.ResolutionClass.valueOf(max)));
        return b == null ? "" : b.toString(StandardCharsets.UTF_8);
    }

    public static String master(PlaybackWindow window) {
        var b = window.master("");
        return b == null ? "" : b.toString(StandardCharsets.UTF_8);
    }

    /** The public media playlist a viewer gets from the window, or "" when it has none to give. */
    public static String media(PlaybackWindow window) {
        if (!window.servesMedia()) {
            return "";
        }
        var b = window.media("");
        return b == null ? "" : b.toString(StandardCharsets.UTF_8);
    }
}
