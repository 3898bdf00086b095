package io.openivs.server.live.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.config.ServerConfig;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.hls.LlHlsValidator;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * A transcoded rung of a LOW, FRAGMENTED_MP4 channel is an LL-HLS rendition like the source: parts,
 * a preload hint, blocking reloads answered when the part appears, and rendition reports on every
 * other rendition the master lists. ffmpeg publishes 640x360 (rungs 360p30 and 160p30) for a short while.
 */
class TranscodeLowLatencyTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture(
            dir -> new TestServer(dir, TestDatabases.sqlite(dir), new ServerConfig.Transcoding(true, 2)));

    static final HttpClient http = HttpClient.newHttpClient();

    private static HttpResponse<String> get(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> reportUris(LlHlsValidator.Playlist p) {
        return p.reports().stream().map(LlHlsValidator.Report::uri).toList();
    }

    @Test
    void rungsOfALowLatencyChannelServePartsBlockingReloadsAndReports() throws Exception {
        CreateChannelResponse created = node.ivs()
                .createChannel(b -> b.name("ll-ladder")
                        .type("STANDARD")
                        .insecureIngest(true)
                        .latencyMode(ChannelLatencyMode.LOW)
                        .containerFormat(ContainerFormat.FRAGMENTED_MP4));
        URI master = URI.create(created.channel().playbackUrl());
        String base = master.toString().substring(0, master.toString().length() - ".m3u8".length());
        // Stopped once everything is checked (22 s is what a slow machine may need).
        Publishing.Stoppable publisher =
                Publishing.startStoppable(Publishing.lowLatencyArgs(node.rtmpUrl(created), 22));

        // The master lists both rungs once each has a segment (a cold child needs a few seconds).
        Publishing.await(Duration.ofSeconds(30), () -> {
            HttpResponse<String> r = get(master);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("NAME=\"360p30\"").contains("NAME=\"160p30\"");
            return true;
        });
        Thread.sleep(2_500); // a rung segment or two more, so every rendition reports on the others

        URI rung = URI.create(base + "/360p30/live.m3u8");
        LlHlsValidator validator = new LlHlsValidator();
        LlHlsValidator.Playlist latest = null;
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> r = get(rung);
            assertThat(r.statusCode()).isEqualTo(200);
            latest = validator.check(r.body());
            Thread.sleep(150);
        }
        String text = get(rung).body();
        assertThat(text).contains("#EXT-X-PART-INF:PART-TARGET=").contains("#EXT-X-PRELOAD-HINT:TYPE=PART");
        assertThat(latest.partTarget()).isLessThanOrEqualTo(0.334);
        assertThat(latest.allParts()).isNotEmpty();
        // Reports on the source, the other rung and audio_only, each relative to this playlist.
        assertThat(reportUris(latest))
                .contains("../live.m3u8", "../160p30/live.m3u8", "../audio_only/live.m3u8")
                .doesNotContain("../360p30/live.m3u8");

        // The source reports on the rungs too.
        LlHlsValidator.Playlist source =
                new LlHlsValidator().check(get(URI.create(base + "/live.m3u8")).body());
        assertThat(reportUris(source)).contains("360p30/live.m3u8", "160p30/live.m3u8", "audio_only/live.m3u8");

        // Blocking reloads of the rung for its hinted part come back with it, well before a timeout.
        for (int i = 0; i < 4; i++) {
            long[] next = latest.hinted();
            long began = System.nanoTime();
            HttpResponse<String> r = get(URI.create(rung + "?_HLS_msn=" + next[0] + "&_HLS_part=" + next[1]));
            long waitedMs = (System.nanoTime() - began) / 1_000_000;
            assertThat(r.statusCode()).isEqualTo(200);
            latest = validator.check(r.body());
            LlHlsValidator.Playlist p = latest;
            boolean listed = p.allParts().stream().anyMatch(x -> x.msn() == next[0] && x.index() == next[1]);
            assertThat(listed || p.lastMsn() >= next[0])
                    .as("part %d.%d in\n%s", next[0], next[1], r.body())
                    .isTrue();
            assertThat(waitedMs).as("blocking reload wait").isLessThan(4_000);
        }

        // The hinted part's URL gives the part once written: an fMP4 fragment of the rung.
        HttpResponse<byte[]> part = http.send(
                HttpRequest.newBuilder(URI.create(base + "/360p30/").resolve(latest.preloadHint()))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(part.statusCode()).isEqualTo(200);
        assertThat(new String(part.body(), 4, 4, StandardCharsets.US_ASCII)).isIn("moof", "emsg");

        // A player that knows nothing of parts plays the rung.
        FfmpegTool.Result play =
                FfmpegTool.ffmpeg("-nostdin", "-v", "error", "-i", rung.toString(), "-t", "2", "-f", "null", "-");
        assertThat(play.exitCode()).as(play.stderr()).isZero();
        FfmpegTool.Result published = publisher.stop();
        assertThat(published.exitCode()).as(published.stderr()).isZero();
    }
}
