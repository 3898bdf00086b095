package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.VideoConfig;
import org.junit.jupiter.api.Test;

/** The channel types' ingest limits and when a publisher breaches them. */
class IngestPolicyTest {
    private static VideoConfig video(int width, int height) {
        return new VideoConfig(MediaFixtures.VIDEO.sps(), MediaFixtures.VIDEO.pps(), width, height, 100, 0, 40, 30);
    }

    @Test
    void resolutionIsJudgedAsTotalPixelsSoPortraitFullHdPasses() {
        IngestPolicy standard = new IngestPolicy(IngestLimits.forChannelType("STANDARD"));
        assertThat(standard.resolution(video(1920, 1080))).isNull();
        assertThat(standard.resolution(video(1080, 1920))).isNull();
        IngestPolicy.Breach over = standard.resolution(video(2560, 1440));
        assertThat(over)
                .isEqualTo(new IngestPolicy.Breach(
                        IngestLimits.RESOLUTION, 1920L * 1080, 2560L * 1440 - 1920L * 1080, IngestLimits.PIXELS));
    }

    @Test
    void bitrateIsJudgedOnATenSecondAverageAgainstTheTypesLimitForTheResolution() {
        IngestPolicy basic = new IngestPolicy(IngestLimits.forChannelType("BASIC"));
        basic.start(0);
        // 2 Mbps of 480p: over BASIC's 1.5 Mbps for SD, but not before the window is full.
        assertThat(basic.bitrate(5_000, true, 1_250_000, video(854, 480))).isNull();
        IngestPolicy.Breach over = basic.bitrate(10_000, true, 2_500_000, video(854, 480));
        assertThat(over)
                .isEqualTo(new IngestPolicy.Breach(
                        IngestLimits.BITRATE, 1_500_000, 500_000, IngestLimits.BITS_PER_SECOND));
        // The same rate is within BASIC's 3.5 Mbps above 480p (and the window starts again).
        assertThat(basic.bitrate(20_000, true, 5_000_000, video(1280, 720))).isNull();
    }

    @Test
    void noBitrateVerdictBeforeMediaAndHdLimitsWithoutVideo() {
        IngestPolicy standard = new IngestPolicy(IngestLimits.forChannelType("STANDARD"));
        standard.start(0);
        assertThat(standard.bitrate(10_000, false, 0, null)).isNull();
        assertThat(standard.bitrate(20_000, true, 20_000_000, null)).isNull(); // 8 Mbps over the 20 s since start
        IngestPolicy.Breach over = standard.bitrate(30_000, true, 31_000_000, null); // 8.8 Mbps
        assertThat(over.limitValue()).isEqualTo(8_500_000);
        assertThat(over.exceededBy()).isEqualTo(300_000);
    }
}
