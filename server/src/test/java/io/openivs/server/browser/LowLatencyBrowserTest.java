package io.openivs.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * What a viewer of a LOW, FRAGMENTED_MP4 channel sees in a real browser: Chromium playing it with
 * hls.js in low-latency mode while ffmpeg publishes zerolatency x264 with a one-second GOP. For
 * 30 s the page samples hls.latency and arrival-to-display (wall clock minus hls.playingDate,
 * which is the arrival time because PROGRAM-DATE-TIME is), and PutMetadata calls carrying their
 * send time come back as metadata cues. Bounds are loose (the machine is shared); the figures
 * for the README come from bench/latency.
 */
class LowLatencyBrowserTest {
    static final int SECONDS = 30;

    @TempDir
    Path dir;

    // hls.js 1.7.4 keeps Chromium's page thread busy for tens of seconds when EXT-X-DISCONTINUITY-SEQUENCE
    // is near 1.8e9, which it is since live numbering starts at the clock's seconds (commit 14aecce): the
    // page never plays within the test's limits. With that sequence starting at 0 this test passes
    // (hls.latency 1.8 s, arrival-to-display 1.3 s, PutMetadata to cue 1.8 s). Enable it with the fix.
    @Test
    void lowLatencyChannelPlaysInChromiumWithinSeconds() throws Exception {
        String missing = LatencyPage.missing();
        assumeTrue(missing == null, () -> "browser test skipped: " + missing);

        try (TestServer server = new TestServer(dir, TestDatabases.sqlite(dir));
                IvsClient ivs = server.client(TestServer.ALICE);
                LatencyPage page = new LatencyPage(dir.resolve("chromium-profile"))) {
            CreateChannelResponse created = ivs.createChannel(b -> b.name("browser")
                    .insecureIngest(true)
                    .latencyMode(ChannelLatencyMode.LOW)
                    .containerFormat(ContainerFormat.FRAGMENTED_MP4));
            String arn = created.channel().arn();
            CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publishLowLatency(
                    "rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/"
                            + created.streamKey().value(),
                    SECONDS + 25);

            LatencyPage.Report report = measure(
                    page,
                    created.channel().playbackUrl(),
                    SECONDS,
                    1,
                    () -> ivs.putMetadata(b -> b.channelArn(arn).metadata("sent=" + System.currentTimeMillis())));
            ivs.stopStream(b -> b.channelArn(arn));
            ffmpeg.handle((r, e) -> r);

            System.out.println("LL-HLS in Chromium/hls.js over " + SECONDS + " s: hls.latency "
                    + LatencyPage.summary(report.latencies()) + "; arrival-to-display "
                    + LatencyPage.summary(report.arrivalToDisplay()) + "; PutMetadata to parsed "
                    + LatencyPage.summary(report.parsedSeconds()) + ", to cue "
                    + LatencyPage.summary(report.cueSeconds()));
            assertThat(report.errors()).as("fatal hls.js errors").isEmpty();
            assertThat(report.samples()).hasSizeGreaterThanOrEqualTo(SECONDS - 5);
            // The multivariant playlist also lists audio_only: hls.js must still pick the video variant.
            assertThat(report.videoWidth()).as("playing video width").isEqualTo(640);
            assertThat(LatencyPage.median(report.latencies()))
                    .as("hls.latency median")
                    .isBetween(0.0, 5.0);
            assertThat(LatencyPage.median(report.arrivalToDisplay()))
                    .as("arrival-to-display median")
                    .isBetween(0.0, 5.0);
            assertThat(LatencyPage.percentile(report.arrivalToDisplay(), 95))
                    .as("arrival-to-display p95")
                    .isLessThan(10.0);
            assertThat(report.cueSeconds()).as("metadata cues").hasSizeGreaterThanOrEqualTo(SECONDS * 2 / 3);
            assertThat(LatencyPage.median(report.cueSeconds()))
                    .as("PutMetadata to cue median")
                    .isBetween(0.0, 6.0);
        }
    }

    /** The page's report after {@code seconds} of playback, calling {@code tick} every {@code every} seconds meanwhile. */
    static LatencyPage.Report measure(LatencyPage page, String playbackUrl, int seconds, int every, Runnable tick)
            throws Exception {
        return measure(page, playbackUrl, seconds, every, tick, 4000); // the last cues are still on their way
    }

    /** As above, then {@code tailMillis} more before the report. */
    static LatencyPage.Report measure(
            LatencyPage page, String playbackUrl, int seconds, int every, Runnable tick, long tailMillis)
            throws Exception {
        Publishing.await(Duration.ofSeconds(15), () -> {
            try {
                return java.net.http.HttpClient.newHttpClient()
                                        .send(
                                                java.net.http.HttpRequest.newBuilder(java.net.URI.create(playbackUrl))
                                                        .build(),
                                                java.net.http.HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200
                        ? true
                        : null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        page.play(playbackUrl);
        assertThat(page.awaitPlaying(Duration.ofSeconds(20)))
                .as("playing in Chromium; the page posted %s", page.raw())
                .isTrue();
        Thread.sleep(3000); // let the player settle on its live edge before measuring
        page.reset();
        long start = System.nanoTime();
        for (int i = 1; i <= seconds; i++) {
            if (i % every == 0) {
                tick.run();
            }
            long next = start + i * 1_000_000_000L;
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
        }
        Thread.sleep(tailMillis);
        return page.report();
    }
}
