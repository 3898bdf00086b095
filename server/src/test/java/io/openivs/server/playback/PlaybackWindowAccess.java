package io.openivs.server.playback;

import java.nio.charset.StandardCharsets;

/** Test access to a window's multivariant playlist text. */
public final class PlaybackWindowAccess {
    private PlaybackWindowAccess() {
    }

    public static String master(PlaybackWindow window) {
        var b = window.master("");
        return b == null ? "" : b.toString(StandardCharsets.UTF_8);
    }
}
