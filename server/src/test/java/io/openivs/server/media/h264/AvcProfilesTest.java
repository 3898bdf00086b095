package io.openivs.server.media.h264;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AvcProfilesTest {
    @Test
    void namesTheProfilesIvsReportsAndLevelsAsMajorDotMinor() {
        assertThat(AvcProfiles.name(66)).isEqualTo("Baseline");
        assertThat(AvcProfiles.name(77)).isEqualTo("Main");
        assertThat(AvcProfiles.name(100)).isEqualTo("High");
        assertThat(AvcProfiles.name(122)).isEqualTo("High 4:2:2");
        assertThat(AvcProfiles.name(0)).isEqualTo("Unknown");
        assertThat(AvcProfiles.level(31)).isEqualTo("3.1");
        assertThat(AvcProfiles.level(40)).isEqualTo("4.0");
    }
}
