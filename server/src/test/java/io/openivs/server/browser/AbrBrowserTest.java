package io.openivs.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.openivs.server.config.ServerConfig;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.playback.access.TestTokens;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * Adaptive bitrate as a viewer gets it: headless Chromium plays a transcoded STANDARD channel's
 * master with hls.js, and the page moves it across every level (the source and each rung) by
 * {@code hls.nextLevel}. Each switch must happen, the picture must change size with it, and
 * playback must go on without a stall longer than a segment; the same on a private channel whose
 * token's aws:maximum-resolution (SD) hides the source. Skipped without Chromium or hls.js.
 */
class AbrBrowserTest {
    /** Seconds between forced level changes: three 2 s segments, so each switch lands before the next. */
    static final int EVERY = 6;

    @TempDir
    Path dir;

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    @Test
    void hlsJsSwitchesAcrossEveryLevelOfATranscodedChannelWithoutStalling() throws Exception {
        String missing = LatencyPage.missing();
        assumeTrue(missing == null, () -> "browser test skipped: " + missing);

        try (TestServer server = new TestServer(dir, TestDatabases.sqlite(dir), new ServerConfig.Transcoding(true, 2));
                IvsClient ivs = server.client(TestServer.ALICE);
                LatencyPage page = new LatencyPage(dir.resolve("chromium-profile"), "abr.html")) {
            // 640x360 on STANDARD: the source (chunked), 360p30 and 160p30.
            CreateChannelResponse created = ivs.createChannel(
                    b -> b.name("abr").type("STANDARD").latencyMode("NORMAL").insecureIngest(true));
            CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publish(
                    "rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/"
                            + created.streamKey().value(),
                    55);
            String master = created.channel().playbackUrl();
            awaitListed(master, "360p30", "160p30");
            JsonNode report = playAndSwitch(page, master);
            ivs.stopStream(b -> b.channelArn(created.channel().arn()));
            ffmpeg.handle((r, e) -> r);
            assertSwitchedWithoutStalling(report, List.of(160, 360, 360));
        }
    }

    @Test
    void aTokenCappedAtSdSwitchesAcrossTheLevelsItAdmits() throws Exception {
        String missing = LatencyPage.missing();
        assumeTrue(missing == null, () -> "browser test skipped: " + missing);

        try (TestServer server = new TestServer(dir, TestDatabases.sqlite(dir), new ServerConfig.Transcoding(true, 2));
                IvsClient ivs = server.client(TestServer.ALICE);
                LatencyPage page = new LatencyPage(dir.resolve("chromium-profile"), "abr.html")) {
            KeyPair key = TestTokens.newKeyPair();
            ivs.importPlaybackKeyPair(b -> b.publicKeyMaterial(TestTokens.publicPem(key)));
            // 960x540 on STANDARD: the source (540p, HD) and 480p30, 360p30, 160p30; the token admits up to SD.
            CreateChannelResponse created = ivs.createChannel(b -> b.name("abr-private")
                    .type("STANDARD")
                    .latencyMode("NORMAL")
                    .authorized(true)
                    .insecureIngest(true));
            String arn = created.channel().arn();
            CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publishSized(
                    "rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/"
                            + created.streamKey().value(),
                    "960x540",
                    55);
            String master = created.channel().playbackUrl() + "?token="
                    + TestTokens.sign(key, arn, 600, c -> c.claim("aws:maximum-resolution", "SD"));
            awaitListed(master, "480p30", "360p30", "160p30");
            JsonNode report = playAndSwitch(page, master);
            ivs.stopStream(b -> b.channelArn(arn));
            ffmpeg.handle((r, e) -> r);
            assertSwitchedWithoutStalling(report, List.of(160, 360, 480));
        }
    }

    /** Waits until the master (as the viewer gets it) lists each rung. */
    private static void awaitListed(String master, String... rungs) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        Publishing.await(Duration.ofSeconds(30), () -> {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(master)).build(), HttpResponse.BodyHandlers.ofString());
                for (String rung : rungs) {
                    assertThat(r.body()).contains("NAME=\"" + rung + "\"");
                }
                return true;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Plays {@code master} until the page has forced every level and the last one had time to land. */
    private static JsonNode playAndSwitch(LatencyPage page, String master) throws Exception {
        page.play(master);
        assertThat(page.awaitPlaying(Duration.ofSeconds(25)))
                .as("playing in Chromium; the page posted %s", page.raw())
                .isTrue();
        Publishing.await(Duration.ofSeconds(6L * EVERY + 40), () -> {
            try {
                assertThat(page.posted().path("state").path("done").asBoolean()).isTrue();
                return true;
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep((EVERY + 2) * 1000L);
        JsonNode report = page.posted();
        System.out.println("hls.js ABR: levels " + report.path("levels") + "; forced " + report.path("forced")
                + "; switched " + report.path("switched") + "; stalls " + report.path("stalls"));
        return report;
    }

    /** Every forced level was switched to and shown at its size; no stall longer than a segment. */
    private static void assertSwitchedWithoutStalling(JsonNode report, List<Integer> heights) {
        assertThat(list(report.path("errors"))).as("fatal hls.js errors").isEmpty();
        List<JsonNode> levels = list(report.path("levels"));
        assertThat(levels.stream().map(l -> l.path("height").asInt()))
                .as("levels' heights")
                .containsExactlyInAnyOrderElementsOf(heights);
        List<JsonNode> forced = list(report.path("forced"));
        List<JsonNode> switched = list(report.path("switched"));
        List<JsonNode> samples = list(report.path("samples"));
        assertThat(forced).hasSize(levels.size() + 1);
        for (JsonNode f : forced) {
            int level = f.path("level").asInt();
            long at = f.path("at").asLong();
            boolean already = f.path("from").asInt() == level;
            boolean done = switched.stream()
                    .anyMatch(s ->
                            s.path("level").asInt() == level && s.path("at").asLong() >= at);
            assertThat(already || done)
                    .as("switch to level %d forced at %d; switched %s", level, at, switched)
                    .isTrue();
            // The picture follows: a sample after the switch shows the level's height.
            int height = levels.get(level).path("height").asInt();
            assertThat(samples.stream()
                            .anyMatch(s -> s.path("at").asLong() > at
                                    && s.path("level").asInt() == level
                                    && s.path("videoHeight").asInt() == height))
                    .as("level %d (%d lines) on screen after %d", level, height, at)
                    .isTrue();
        }
        // Playback went on: no stall longer than a segment (2 s; slack for a loaded machine), and
        // the media clock kept up with the wall clock.
        long firstPlaying = samples.get(0).path("at").asLong();
        for (JsonNode stall : list(report.path("stalls"))) {
            if (stall.path("from").asLong() > firstPlaying) {
                assertThat(stall.path("ms").asLong()).as("stall %s", stall).isLessThanOrEqualTo(2_500);
            }
        }
        JsonNode last = samples.get(samples.size() - 1);
        double wall = (last.path("at").asLong() - firstPlaying) / 1000.0;
        double media = last.path("currentTime").asDouble()
                - samples.get(0).path("currentTime").asDouble();
        assertThat(media).as("media seconds played over %.1f s", wall).isGreaterThan(wall - 4.0);
    }
}
