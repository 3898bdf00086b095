package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which Accept headers name the HLS media type: the IVS web player's does, hls.js's (the browser's default) does not. */
class HlsAcceptTest {
    /** What Amazon's IVS web player sends on every playlist request. */
    static final String IVS_PLAYER =
            "application/x-mpegURL, application/vnd.apple.mpegurl, application/json, text/plain";

    @Test
    void theIvsPlayersAcceptNamesItAndTheBrowsersDefaultDoesNot() {
        assertThat(HlsAccept.namesHlsType(IVS_PLAYER)).isTrue();
        assertThat(HlsAccept.namesHlsType("*/*")).isFalse();
        assertThat(HlsAccept.namesHlsType(null)).isFalse();
        assertThat(HlsAccept.namesHlsType("")).isFalse();
        assertThat(HlsAccept.namesHlsType("application/*")).isFalse();
        assertThat(HlsAccept.namesHlsType("application/vnd.apple.mpegurl")).isFalse();
    }

    @Test
    void caseWhitespaceAndWeightsAsRfc9110ReadsThem() {
        assertThat(HlsAccept.namesHlsType("APPLICATION/X-MPEGURL")).isTrue();
        assertThat(HlsAccept.namesHlsType("text/plain,application/x-mpegurl")).isTrue();
        assertThat(HlsAccept.namesHlsType("text/plain ,\tapplication/x-mpegURL ; q=0.5"))
                .isTrue();
        assertThat(HlsAccept.namesHlsType("application/x-mpegURL;q=1, */*;q=0")).isTrue();
        // q=0: not acceptable (RFC 9110 12.4.2), so not named.
        assertThat(HlsAccept.namesHlsType("application/x-mpegURL;q=0")).isFalse();
        assertThat(HlsAccept.namesHlsType("application/x-mpegURL; Q=0.000, */*"))
                .isFalse();
        assertThat(HlsAccept.namesHlsType("application/x-mpegURL;q=0.")).isFalse();
        assertThat(HlsAccept.namesHlsType("application/x-mpegURL;q=0.001")).isTrue();
        // Only the whole type, not one it begins or a parameter's quoted text.
        assertThat(HlsAccept.namesHlsType("application/x-mpegurlx, text/plain")).isFalse();
        assertThat(HlsAccept.namesHlsType("text/plain;x=\"a, application/x-mpegURL\""))
                .isFalse();
        assertThat(HlsAccept.namesHlsType("text/plain;x=\"a\\\", b\", application/x-mpegURL"))
                .isTrue();
    }
}
