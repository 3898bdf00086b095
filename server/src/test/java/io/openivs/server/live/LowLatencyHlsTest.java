package io.openivs.server.live;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.hls.LlHlsValidator;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Low-Latency HLS on a LOW, FRAGMENTED_MP4 channel fed by a real ffmpeg publisher (zerolatency
 * x264, one-second GOP): playlists that follow the LL-HLS rules across reloads, blocking reloads
 * answered when the part they wait for appears, parts that decode, and ffmpeg playing along.
 */
class LowLatencyHlsTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static IvsClient ivs;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dir, TestDatabases.sqlite(dir));
        ivs = server.client(TestServer.ALICE);
    }

    @AfterAll
    static void stop() {
        if (ivs != null) {
            ivs.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] bytes(URI uri) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(uri.toString()).isEqualTo(200);
        return r.body();
    }

    @Test
    void lowLatencyChannelServesPartsAndBlockingReloads() throws Exception {
        CreateChannelResponse created = ivs.createChannel(b -> b.name("ll").insecureIngest(true)
                .latencyMode(ChannelLatencyMode.LOW).containerFormat(ContainerFormat.FRAGMENTED_MP4));
        String arn = created.channel().arn();
        URI playbackUrl = URI.create(created.channel().playbackUrl());
        CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publishLowLatency("rtmp://127.0.0.1:"
                + server.server().rtmpPort() + "/app/" + created.streamKey().value(), 25);

        String mediaPath = Publishing.await(Duration.ofSeconds(12), () -> {
            try {
                HttpResponse<String> master = get(playbackUrl);
                assertThat(master.statusCode()).isEqualTo(200);
                return master.body().lines().filter(l -> l.endsWith(".m3u8")).findFirst().orElseThrow();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        URI media = playbackUrl.resolve(mediaPath);

        // Plain reloads, a few times a part: every playlist follows the rules and agrees with the ones before.
        LlHlsValidator validator = new LlHlsValidator();
        LlHlsValidator.Playlist latest = null;
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> r = get(media);
            assertThat(r.statusCode()).isEqualTo(200);
            latest = validator.check(r.body());
            Thread.sleep(150);
        }
        assertThat(latest.partTarget()).isLessThanOrEqualTo(0.334);
        assertThat(latest.allParts()).isNotEmpty();

        // Blocking reloads for the hinted part: answered once that part exists, so they wait a
        // while (most of a part), come back with it listed, and do not wait for a timeout.
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long[] next = latest.hinted();
            long began = System.nanoTime();
            HttpResponse<String> r = get(URI.create(media + "?_HLS_msn=" + next[0] + "&_HLS_part=" + next[1]));
            long waitedMs = (System.nanoTime() - began) / 1_000_000;
            assertThat(r.statusCode()).isEqualTo(200);
            latest = validator.check(r.body());
            boolean listed = latest.allParts().stream().anyMatch(p -> p.msn() == next[0] && p.index() == next[1]);
            assertThat(listed || latest.lastMsn() >= next[0]).as("the awaited part %d.%d is in\n%s", next[0], next[1],
                    r.body()).isTrue();
            waits.add(waitedMs);
        }
        Collections.sort(waits);
        System.out.println("LL-HLS blocking reload waits (ms, sorted): " + waits);
        // Parts are 1/3 s: a request made right after a playlist waits up to about one part.
        assertThat(waits.get(waits.size() - 1)).as("blocking reload waits %s ms", waits).isLessThan(1500);
        assertThat(waits.get(waits.size() / 2)).as("blocking reload waits %s ms", waits).isBetween(50L, 700L);

        // The hinted part's URL itself blocks until the part is written, then serves it.
        long[] hint = latest.hinted();
        long began = System.nanoTime();
        byte[] hinted = bytes(media.resolve(latest.preloadHint()));
        assertThat((System.nanoTime() - began) / 1_000_000).isLessThan(1500);
        assertThat(new String(hinted, 4, 4, StandardCharsets.US_ASCII)).isIn("moof", "emsg");

        // Too far ahead is a client error, not a wait.
        assertThat(get(URI.create(media + "?_HLS_msn=" + (hint[0] + 5))).statusCode()).isEqualTo(400);
        assertThat(get(URI.create(media + "?_HLS_part=1")).statusCode()).isEqualTo(400);

        // A finished segment's parts, after its init segment, decode as video: about its EXTINF of frames.
        LlHlsValidator.PartLine first = latest.allParts().get(0);
        List<LlHlsValidator.PartLine> parts = latest.allParts().stream()
                .filter(p -> p.msn() == first.msn()).toList();
        assertThat(first.msn()).isLessThanOrEqualTo(latest.lastMsn());
        String mediaPlaylist = get(media).body();
        String init = mediaPlaylist.lines().filter(l -> l.startsWith("#EXT-X-MAP:")).findFirst().orElseThrow();
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        joined.write(bytes(media.resolve(init.substring(init.indexOf('"') + 1, init.lastIndexOf('"')))));
        double seconds = 0;
        for (LlHlsValidator.PartLine p : parts) {
            joined.write(bytes(media.resolve(p.uri())));
            seconds += p.duration();
        }
        Path file = dir.resolve("parts.mp4");
        Files.write(file, joined.toByteArray());
        FfmpegTool.Result decoded = FfmpegTool.ffprobe("-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file.toString());
        assertThat(decoded.exitCode()).as(decoded.stderr()).isZero();
        assertThat(decoded.stderr()).isEmpty();
        assertThat(Integer.parseInt(decoded.stdout().strip())).isCloseTo((int) Math.round(seconds * 30),
                org.assertj.core.data.Offset.offset(2));

        // A player that knows nothing of parts plays the same playlist.
        FfmpegTool.Result play = FfmpegTool.ffmpeg("-nostdin", "-v", "error", "-i", playbackUrl.toString(), "-t", "3",
                "-f", "null", "-");
        assertThat(play.exitCode()).as(play.stderr()).isZero();
        assertThat(play.stderr()).isEmpty();

        ivs.stopStream(b -> b.channelArn(arn));
        assertThat(ffmpeg.get(5, TimeUnit.SECONDS).exitCode()).isNotZero();
    }

    @Test
    void normalChannelsKeepRegularHls() throws Exception {
        CreateChannelResponse created = ivs.createChannel(b -> b.name("normal").insecureIngest(true)
                .latencyMode(ChannelLatencyMode.NORMAL).containerFormat(ContainerFormat.FRAGMENTED_MP4));
        URI playbackUrl = URI.create(created.channel().playbackUrl());
        CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publishLowLatency("rtmp://127.0.0.1:"
                + server.server().rtmpPort() + "/app/" + created.streamKey().value(), 6);
        String playlist = Publishing.await(Duration.ofSeconds(12), () -> {
            try {
                HttpResponse<String> master = get(playbackUrl);
                assertThat(master.statusCode()).isEqualTo(200);
                String path = master.body().lines().filter(l -> l.endsWith(".m3u8")).findFirst().orElseThrow();
                return get(playbackUrl.resolve(path)).body();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(playlist).contains("#EXT-X-TARGETDURATION:2\n", "#EXTINF:2.0")
                .doesNotContain("EXT-X-PART", "SERVER-CONTROL", "PRELOAD-HINT");
        ffmpeg.get(20, TimeUnit.SECONDS);
    }
}
