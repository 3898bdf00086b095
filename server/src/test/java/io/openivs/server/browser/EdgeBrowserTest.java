package io.openivs.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestServer;
import io.openivs.server.testing.ThreeNodes;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * hls.js in Chromium plays an LL-HLS channel through an edge: ffmpeg publishes to node 1 of three nodes
 * on one PostgreSQL database, the page plays the same playback URL from node 3. Bounds are loose (the
 * machine is shared; figures come from bench/cluster).
 */
class EdgeBrowserTest {
    static final int SECONDS = 15;

    @TempDir
    Path dir;

    @Test
    void lowLatencyChannelPlaysThroughAnEdgeInChromium() throws Exception {
        String missing = LatencyPage.missing();
        assumeTrue(missing == null, () -> "browser test skipped: " + missing);

        try (ThreeNodes cluster = new ThreeNodes(dir);
                IvsClient ivs = cluster.node(1).client(TestServer.ALICE);
                LatencyPage page = new LatencyPage(dir.resolve("chromium-profile"))) {
            CreateChannelResponse created = ivs.createChannel(b -> b.name("edge-browser")
                    .insecureIngest(true)
                    .latencyMode(ChannelLatencyMode.LOW)
                    .containerFormat(ContainerFormat.FRAGMENTED_MP4));
            CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publishLowLatency(
                    "rtmp://127.0.0.1:" + cluster.node(1).server().rtmpPort() + "/app/"
                            + created.streamKey().value(),
                    SECONDS + 30);
            long before = cluster.node(1).server().playbackCounters().servedToEdges("part");

            LatencyPage.Report report = LowLatencyBrowserTest.measure(
                    page, cluster.via(3, created.channel().playbackUrl()), SECONDS, 1, () -> {});
            ffmpeg.handle((r, e) -> r);

            System.out.println("LL-HLS through an edge in Chromium/hls.js over " + SECONDS + " s: hls.latency "
                    + LatencyPage.summary(report.latencies()) + "; arrival-to-display "
                    + LatencyPage.summary(report.arrivalToDisplay()));
            assertThat(report.errors()).as("fatal hls.js errors").isEmpty();
            assertThat(report.samples()).hasSizeGreaterThanOrEqualTo(SECONDS - 5);
            assertThat(report.videoWidth()).as("playing video width").isEqualTo(640);
            assertThat(LatencyPage.median(report.latencies()))
                    .as("hls.latency median")
                    .isBetween(0.0, 6.0);
            // The parts came from node 1 through the edge.
            assertThat(cluster.node(1).server().playbackCounters().servedToEdges("part"))
                    .isGreaterThan(before + SECONDS);
        }
    }
}
