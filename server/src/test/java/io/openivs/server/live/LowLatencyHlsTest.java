package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.hls.LlHlsValidator;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * Low-Latency HLS on a LOW, FRAGMENTED_MP4 channel fed by a real ffmpeg publisher (zerolatency
 * x264, one-second GOP): playlists that follow the LL-HLS rules across reloads, blocking reloads
 * answered when the part they wait for appears, parts that decode, and ffmpeg playing along; and
 * the audio_only rendition that gives the rendition reports something to report.
 */
class LowLatencyHlsTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    static final HttpClient http = HttpClient.newHttpClient();

    private static HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] bytes(URI uri) throws Exception {
        HttpResponse<byte[]> r =
                http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(uri.toString()).isEqualTo(200);
        return r.body();
    }

    /** An fMP4 channel of {@code mode} that ffmpeg publishes to for {@code seconds}. */
    private record Live(String arn, URI playbackUrl, CompletableFuture<FfmpegTool.Result> ffmpeg) {
        static Live publish(String name, ChannelLatencyMode mode, int seconds) {
            CreateChannelResponse created = node.ivs()
                    .createChannel(b -> b.name(name)
                            .insecureIngest(true)
                            .latencyMode(mode)
                            .containerFormat(ContainerFormat.FRAGMENTED_MP4));
            return new Live(
                    created.channel().arn(),
                    URI.create(created.channel().playbackUrl()),
                    Publishing.publishLowLatency(
                            "rtmp://127.0.0.1:" + node.server().server().rtmpPort() + "/app/"
                                    + created.streamKey().value(),
                            seconds));
        }

        /** The multivariant playlist, once the channel is playable. */
        String awaitMaster() throws InterruptedException {
            return Publishing.await(Duration.ofSeconds(12), () -> {
                try {
                    HttpResponse<String> master = get(playbackUrl);
                    assertThat(master.statusCode()).isEqualTo(200);
                    return master.body();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    /** A blocking reload's answer and how long it took. */
    private record Reload(LlHlsValidator.Playlist playlist, long waitedMs) {}

    /** Reloads {@code media} blocking for the part {@code latest} hints at; the answer must list it. */
    private static Reload reloadForHint(LlHlsValidator validator, URI media, LlHlsValidator.Playlist latest)
            throws Exception {
        long[] next = latest.hinted();
        long began = System.nanoTime();
        HttpResponse<String> r = get(URI.create(media + "?_HLS_msn=" + next[0] + "&_HLS_part=" + next[1]));
        long waitedMs = (System.nanoTime() - began) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(200);
        LlHlsValidator.Playlist p = validator.check(r.body());
        boolean listed = p.allParts().stream().anyMatch(part -> part.msn() == next[0] && part.index() == next[1]);
        assertThat(listed || p.lastMsn() >= next[0])
                .as("the awaited part %d.%d is in\n%s", next[0], next[1], r.body())
                .isTrue();
        return new Reload(p, waitedMs);
    }

    @Test
    void lowLatencyChannelServesPartsAndBlockingReloads() throws Exception {
        Live live = Live.publish("ll", ChannelLatencyMode.LOW, 25);
        String arn = live.arn();
        URI playbackUrl = live.playbackUrl();
        CompletableFuture<FfmpegTool.Result> ffmpeg = live.ffmpeg();
        URI media = playbackUrl.resolve(live.awaitMaster()
                .lines()
                .filter(l -> l.endsWith(".m3u8"))
                .findFirst()
                .orElseThrow());

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
            Reload r = reloadForHint(validator, media, latest);
            latest = r.playlist();
            waits.add(r.waitedMs());
        }
        Collections.sort(waits);
        System.out.println("LL-HLS blocking reload waits (ms, sorted): " + waits);
        // Parts are 1/3 s: a request made right after a playlist waits up to about one part.
        assertThat(waits.get(waits.size() - 1))
                .as("blocking reload waits %s ms", waits)
                .isLessThan(1500);
        assertThat(waits.get(waits.size() / 2))
                .as("blocking reload waits %s ms", waits)
                .isBetween(50L, 700L);

        // The hinted part's URL itself blocks until the part is written, then serves it.
        long[] hint = latest.hinted();
        long began = System.nanoTime();
        byte[] hinted = bytes(media.resolve(latest.preloadHint()));
        assertThat((System.nanoTime() - began) / 1_000_000).isLessThan(1500);
        assertThat(new String(hinted, 4, 4, StandardCharsets.US_ASCII)).isIn("moof", "emsg");

        // Too far ahead is a client error, not a wait.
        assertThat(get(URI.create(media + "?_HLS_msn=" + (hint[0] + 5))).statusCode())
                .isEqualTo(400);
        assertThat(get(URI.create(media + "?_HLS_part=1")).statusCode()).isEqualTo(400);

        // A finished segment's parts, after its init segment, decode as video: about its EXTINF of frames.
        LlHlsValidator.PartLine first = latest.allParts().get(0);
        List<LlHlsValidator.PartLine> parts =
                latest.allParts().stream().filter(p -> p.msn() == first.msn()).toList();
        assertThat(first.msn()).isLessThanOrEqualTo(latest.lastMsn());
        String mediaPlaylist = get(media).body();
        String init = mediaPlaylist
                .lines()
                .filter(l -> l.startsWith("#EXT-X-MAP:"))
                .findFirst()
                .orElseThrow();
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        joined.write(bytes(media.resolve(init.substring(init.indexOf('"') + 1, init.lastIndexOf('"')))));
        double seconds = 0;
        for (LlHlsValidator.PartLine p : parts) {
            joined.write(bytes(media.resolve(p.uri())));
            seconds += p.duration();
        }
        Path file = node.dir().resolve("parts.mp4");
        Files.write(file, joined.toByteArray());
        FfmpegTool.Result decoded = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-count_frames",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=nb_read_frames",
                "-of",
                "csv=p=0",
                file.toString());
        assertThat(decoded.exitCode()).as(decoded.stderr()).isZero();
        assertThat(decoded.stderr()).isEmpty();
        assertThat(Integer.parseInt(decoded.stdout().strip()))
                .isCloseTo((int) Math.round(seconds * 30), org.assertj.core.data.Offset.offset(2));

        // A player that knows nothing of parts plays the same playlist.
        FfmpegTool.Result play = FfmpegTool.ffmpeg(
                "-nostdin", "-v", "error", "-i", playbackUrl.toString(), "-t", "3", "-f", "null", "-");
        assertThat(play.exitCode()).as(play.stderr()).isZero();
        assertThat(play.stderr()).isEmpty();

        node.ivs().stopStream(b -> b.channelArn(arn));
        assertThat(ffmpeg.get(5, TimeUnit.SECONDS).exitCode()).isNotZero();
    }

    /** The last part a playlist lists, as (msn, index). */
    static long[] lastPart(LlHlsValidator.Playlist p) {
        if (!p.trailingParts().isEmpty()) {
            return new long[] {p.lastMsn() + 1, p.trailingParts().size() - 1};
        }
        long count =
                p.allParts().stream().filter(part -> part.msn() == p.lastMsn()).count();
        return new long[] {p.lastMsn(), count - 1};
    }

    /**
     * The audio_only rendition: listed after the main variant in IVS's shape, AAC alone, cut into the
     * same segments and parts as the main rendition, with blocking reloads, and each rendition's
     * playlist reporting where the other one stands.
     */
    @Test
    void audioOnlyRenditionIsListedCutAlikeAndReported() throws Exception {
        Live live = Live.publish("ll-audio", ChannelLatencyMode.LOW, 25);
        URI playbackUrl = live.playbackUrl();
        // Listed as soon as the channel is: both renditions finish their first segment on the same frame.
        String master = live.awaitMaster();
        // The main variant first, then IVS's audio_only shape: measured bandwidth, AAC, no resolution.
        List<String> lines = master.lines().toList();
        List<String> uris = lines.stream().filter(l -> l.endsWith(".m3u8")).toList();
        assertThat(uris).hasSize(2);
        assertThat(uris.get(1)).isEqualTo(uris.get(0).replace("/live.m3u8", "/audio_only/live.m3u8"));
        int audioAt = lines.indexOf(uris.get(1));
        assertThat(lines.get(audioAt - 2))
                .isEqualTo(
                        "#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID=\"audio_only\",NAME=\"audio_only\",AUTOSELECT=NO,DEFAULT=NO");
        assertThat(lines.get(audioAt - 1))
                .matches("#EXT-X-STREAM-INF:BANDWIDTH=[0-9]+,CODECS=\"mp4a\\.40\\.2\"," + "VIDEO=\"audio_only\"");
        long audioBandwidth = Long.parseLong(lines.get(audioAt - 1).replaceAll(".*BANDWIDTH=([0-9]+),.*", "$1"));
        long mainBandwidth =
                Long.parseLong(lines.get(lines.indexOf(uris.get(0)) - 1).replaceAll(".*BANDWIDTH=([0-9]+),.*", "$1"));
        // ffmpeg's AAC of a mono sine: some tens of kb/s (75 kb/s seen), a small share of the main variant's.
        assertThat(audioBandwidth).isBetween(30_000L, 400_000L).isLessThan(mainBandwidth / 4);
        URI video = playbackUrl.resolve(uris.get(0));
        URI audio = playbackUrl.resolve(uris.get(1));

        LlHlsValidator videoCheck = new LlHlsValidator();
        LlHlsValidator audioCheck = new LlHlsValidator();
        Map<String, Double> videoParts = new HashMap<>();
        Map<String, Double> audioParts = new HashMap<>();
        for (int i = 0; i < 8; i++) {
            // The video playlist reports the audio one where it stands; that playlist, asked for next, agrees
            // (it may have moved on by a part in between).
            LlHlsValidator.Playlist v = videoCheck.check(get(video).body());
            assertThat(v.reports()).hasSize(1);
            LlHlsValidator.Report report = v.reports().get(0);
            assertThat(report.uri()).isEqualTo("audio_only/live.m3u8");
            assertThat(video.resolve(report.uri())).isEqualTo(audio);
            LlHlsValidator.Playlist a = audioCheck.check(get(audio).body());
            long[] last = lastPart(a);
            boolean same = last[0] == report.lastMsn() && last[1] == report.lastPart();
            boolean nextInSegment = last[0] == report.lastMsn() && last[1] == report.lastPart() + 1;
            boolean nextSegment = last[0] == report.lastMsn() + 1
                    && last[1] == 0
                    && a.allParts().stream()
                            .noneMatch(p -> p.msn() == report.lastMsn() && p.index() > report.lastPart());
            assertThat(same || nextInSegment || nextSegment)
                    .as("report %s vs audio playlist at %d.%d", report, last[0], last[1])
                    .isTrue();
            // The audio playlist reports the video one the same way.
            assertThat(a.reports()).hasSize(1);
            assertThat(audio.resolve(a.reports().get(0).uri())).isEqualTo(video);
            v.allParts().forEach(p -> videoParts.put(p.msn() + "." + p.index(), p.duration()));
            a.allParts().forEach(p -> audioParts.put(p.msn() + "." + p.index(), p.duration()));
            Thread.sleep(200);
        }
        // Cut at the same points: the same part names with the same durations.
        Map<String, Double> common = new HashMap<>(videoParts);
        common.keySet().retainAll(audioParts.keySet());
        assertThat(common.size())
                .isGreaterThanOrEqualTo(Math.min(videoParts.size(), audioParts.size()) - 2)
                .isGreaterThan(5);
        common.forEach(
                (part, duration) -> assertThat(audioParts.get(part)).as(part).isCloseTo(duration, within(1e-6)));

        // A blocking reload of the audio playlist waits for the hinted part and lists it.
        LlHlsValidator.Playlist latest = audioCheck.check(get(audio).body());
        for (int i = 0; i < 3; i++) {
            Reload r = reloadForHint(audioCheck, audio, latest);
            latest = r.playlist();
            assertThat(r.waitedMs()).isLessThan(1500);
        }
        assertThat(get(URI.create(audio + "?_HLS_msn=" + (latest.hinted()[0] + 5)))
                        .statusCode())
                .isEqualTo(400);

        // ffprobe reads the rendition through its playlist: AAC and nothing else.
        FfmpegTool.Result probe = FfmpegTool.ffprobe(
                "-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "csv=p=0", audio.toString());
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(probe.stdout()
                        .lines()
                        .map(String::strip)
                        .filter(l -> !l.isEmpty())
                        .toList())
                .isNotEmpty()
                .containsOnly("aac,audio"); // ffprobe lists it under its program too

        // Beside the main rendition only: no other directories, no TS segments.
        long msn = latest.lastMsn();
        assertThat(get(URI.create(audio.toString().replace("/live.m3u8", "/" + msn + ".ts")))
                        .statusCode())
                .isEqualTo(404);
        assertThat(get(URI.create(audio.toString().replace("/audio_only/", "/audio/")))
                        .statusCode())
                .isEqualTo(404);

        node.ivs().stopStream(b -> b.channelArn(live.arn()));
        assertThat(live.ffmpeg().get(5, TimeUnit.SECONDS).exitCode()).isNotZero();
    }

    @Test
    void normalChannelsKeepRegularHls() throws Exception {
        Live live = Live.publish("normal", ChannelLatencyMode.NORMAL, 6);
        String master = live.awaitMaster();
        assertThat(master)
                .as("only LL-HLS channels get an audio_only rendition")
                .doesNotContain("audio_only");
        String path =
                master.lines().filter(l -> l.endsWith(".m3u8")).findFirst().orElseThrow();
        String playlist = get(live.playbackUrl().resolve(path)).body();
        assertThat(playlist)
                .contains("#EXT-X-TARGETDURATION:2\n", "#EXTINF:2.0")
                .doesNotContain("EXT-X-PART", "SERVER-CONTROL", "PRELOAD-HINT");
        live.ffmpeg().get(20, TimeUnit.SECONDS);
    }
}
