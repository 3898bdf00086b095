package io.openivs.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * A channel with the API's defaults (LOW latency, MPEG-TS: regular segments, LHLS prefetch lines and
 * {@code EXT-X-START} at the first of them) in hls.js, in headless Chromium: for a 30 s window the
 * playback position must move on in at least 90 % of the seconds and hls.js must raise no fatal error.
 * The prefetch lines are for Amazon's IVS player (IvsPlayerBrowserTest); hls.js must play the rest as
 * regular HLS, near the live edge. Skipped without Chromium or hls.js.
 */
class TsBrowserTest {
    static final int SECONDS = 30;

    @TempDir
    Path dir;

    @Test
    void hlsJsPlaysADefaultLowTsChannelWithoutStalling() throws Exception {
        String missing = LatencyPage.missing();
        assumeTrue(missing == null, () -> "browser test skipped: " + missing);

        try (TestServer server = new TestServer(dir, TestDatabases.sqlite(dir));
                IvsClient ivs = server.client(TestServer.ALICE);
                LatencyPage page = new LatencyPage(dir.resolve("chromium-profile"))) {
            CreateChannelResponse created =
                    ivs.createChannel(b -> b.name("ts-default").insecureIngest(true));
            assertThat(created.channel().latencyModeAsString()).isEqualTo("LOW");
            assertThat(created.channel().containerFormatAsString()).isEqualTo("TS");
            CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publishLowLatency(
                    "rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/"
                            + created.streamKey().value(),
                    SECONDS + 25);

            LatencyPage.Report report = LowLatencyBrowserTest.measure(
                    page, created.channel().playbackUrl(), SECONDS, SECONDS, () -> {}, 1500);
            ivs.stopStream(b -> b.channelArn(created.channel().arn()));
            ffmpeg.handle((r, e) -> r);

            assertThat(report.samples()).as("seconds sampled while playing").hasSizeGreaterThanOrEqualTo(SECONDS - 3);
            double share = report.advancingShare(report.samples().get(0).at(), SECONDS);
            System.out.println(
                    "LOW TS in Chromium/hls.js over " + SECONDS + " s: position moved on in " + Math.round(share * 100)
                            + " % of the seconds; hls.latency " + LatencyPage.summary(report.latencies()));
            assertThat(report.errors()).as("fatal hls.js errors").isEmpty();
            assertThat(report.videoWidth()).as("playing video width").isEqualTo(640);
            assertThat(share)
                    .as("share of %d s in which the position moved on", SECONDS)
                    .isGreaterThanOrEqualTo(0.9);
            // LOW TS: the player starts at EXT-X-START, near the edge, not three segments back as on NORMAL.
            assertThat(LatencyPage.median(report.latencies()))
                    .as("hls.latency median")
                    .isBetween(0.0, 6.0);
        }
    }
}
