package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.hls.LlHlsValidator;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * The part a preload hint names is sent while it is written (chunked transfer encoding, a CMAF
 * chunk per frame), so a player gets its first frames long before the part is complete; what
 * was streamed is exactly the part as served once finished. Real ffmpeg publisher, zerolatency x264.
 */
class LowLatencyPartStreamingTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    static final HttpClient http = HttpClient.newHttpClient();

    private static HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> bytes(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** One response read off the socket, with when its parts arrived (ms after the request was sent). */
    record Raw(
            int status,
            Map<String, String> headers,
            byte[] body,
            int chunks,
            double headersMs,
            double firstByteMs,
            double endMs) {}

    /** A bare HTTP/1.1 exchange, so the arrival of each chunk can be timed; decodes chunked bodies. */
    private static Raw raw(URI uri, String method) throws IOException {
        return raw(uri, method, "HTTP/1.1");
    }

    private static Raw raw(URI uri, String method, String version) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            long sent = System.nanoTime();
            out.write((method + " " + target + " " + version + "\r\nHost: " + uri.getHost() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = line(in);
            double headersMs = (System.nanoTime() - sent) / 1e6;
            Map<String, String> headers = new HashMap<>();
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                headers.put(
                        h.substring(0, colon).toLowerCase(Locale.ROOT),
                        h.substring(colon + 1).strip());
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            double firstByteMs = -1;
            int chunks = 0;
            if ("chunked".equals(headers.get("transfer-encoding")) && !"HEAD".equals(method)) {
                for (int size = Integer.parseInt(line(in), 16); size > 0; size = Integer.parseInt(line(in), 16)) {
                    if (firstByteMs < 0) {
                        firstByteMs = (System.nanoTime() - sent) / 1e6;
                    }
                    body.write(in.readNBytes(size));
                    assertThat(line(in)).as("chunk ends with CRLF").isEmpty();
                    chunks++;
                }
                assertThat(line(in)).as("no trailers").isEmpty();
            } else if (!"HEAD".equals(method)) {
                body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
            }
            return new Raw(
                    Integer.parseInt(status.split(" ")[1]),
                    headers,
                    body.toByteArray(),
                    chunks,
                    headersMs,
                    firstByteMs,
                    (System.nanoTime() - sent) / 1e6);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            assertThat(c).as("connection open").isNotNegative();
            b.write(c);
        }
        String s = b.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    @Test
    void theHintedPartIsStreamedAsItIsWrittenAndIsThePart() throws Exception {
        CreateChannelResponse created = node.ivs()
                .createChannel(b -> b.name("llchunks")
                        .insecureIngest(true)
                        .latencyMode(ChannelLatencyMode.LOW)
                        .containerFormat(ContainerFormat.FRAGMENTED_MP4));
        String arn = created.channel().arn();
        URI playbackUrl = URI.create(created.channel().playbackUrl());
        CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publishLowLatency(
                "rtmp://127.0.0.1:" + node.server().server().rtmpPort() + "/app/"
                        + created.streamKey().value(),
                20);
        String mediaPath = Publishing.await(Duration.ofSeconds(12), () -> {
            try {
                HttpResponse<String> master = get(playbackUrl);
                assertThat(master.statusCode()).isEqualTo(200);
                return master.body()
                        .lines()
                        .filter(l -> l.endsWith(".m3u8"))
                        .findFirst()
                        .orElseThrow();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        URI media = playbackUrl.resolve(mediaPath);
        LlHlsValidator validator = new LlHlsValidator();
        LlHlsValidator.Playlist latest = validator.check(get(media).body());

        List<Double> firstBytes = new ArrayList<>();
        List<Double> ends = new ArrayList<>();
        List<Double> durations = new ArrayList<>();
        byte[] lastStreamed = null;
        for (int round = 0; round < 6; round++) {
            // Wait for the hinted part to be finished: the playlist then hints the part just begun.
            long[] waitFor = latest.hinted();
            HttpResponse<String> reload =
                    get(URI.create(media + "?_HLS_msn=" + waitFor[0] + "&_HLS_part=" + waitFor[1]));
            assertThat(reload.statusCode()).isEqualTo(200);
            latest = validator.check(reload.body());
            long[] hint = latest.hinted();
            URI part = media.resolve(latest.preloadHint());
            if (round == 0) {
                // HEAD of the hinted part: the headers at once, no body.
                Raw head = raw(part, "HEAD");
                assertThat(head.status()).isEqualTo(200);
                assertThat(head.headers())
                        .containsEntry("transfer-encoding", "chunked")
                        .containsEntry("content-type", "video/mp4");
                assertThat(head.endMs())
                        .as("HEAD of the hinted part does not wait for it")
                        .isLessThan(150);
            }

            if (round == 1) {
                // A viewer leaving mid-part: its response is dropped, the others' go on.
                try (Socket leaving = new Socket(part.getHost(), part.getPort())) {
                    leaving.getOutputStream()
                            .write(("GET " + part.getRawPath() + " HTTP/1.1\r\nHost: x\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                    leaving.setSoTimeout(2000);
                    assertThat(line(new BufferedInputStream(leaving.getInputStream())))
                            .isEqualTo("HTTP/1.1 200 OK");
                }
            }
            Raw streamed = raw(part, "GET");
            assertThat(streamed.status()).as(part.toString()).isEqualTo(200);
            assertThat(streamed.headers())
                    .containsEntry("transfer-encoding", "chunked")
                    .containsEntry("content-type", "video/mp4")
                    .containsEntry("cache-control", "public, max-age=31536000, immutable")
                    .doesNotContainKey("content-length");
            assertThat(streamed.chunks()).as("HTTP chunks of %s", part).isGreaterThan(1);
            assertThat(new String(streamed.body(), 4, 4, StandardCharsets.US_ASCII))
                    .isIn("moof", "emsg");

            // Finished now: the same URL serves the whole part from memory, and it is what was streamed.
            HttpResponse<byte[]> again = bytes(part);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.headers().firstValue("content-length")).hasValue(Integer.toString(again.body().length));
            assertThat(streamed.body()).as("streamed bytes of %s", part).isEqualTo(again.body());

            LlHlsValidator.Playlist after = validator.check(get(media).body());
            double duration = after.allParts().stream()
                    .filter(p -> p.msn() == hint[0] && p.index() == hint[1])
                    .findFirst()
                    .orElseThrow()
                    .duration();
            firstBytes.add(streamed.firstByteMs());
            ends.add(streamed.endMs());
            durations.add(duration * 1000);
            lastStreamed = streamed.body();
            latest = after;
        }
        System.out.printf(
                Locale.ROOT,
                "hinted part: first byte %s ms, whole part %s ms, part durations %s ms%n",
                firstBytes.stream()
                        .map(d -> String.format(Locale.ROOT, "%.0f", d))
                        .toList(),
                ends.stream().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList(),
                durations.stream()
                        .map(d -> String.format(Locale.ROOT, "%.0f", d))
                        .toList());
        // Requested right after it began, a part takes about its duration to complete; its first
        // frame is out after about two frame times (a chunk closes when the next frame arrives).
        assertThat(median(ends)).as("whole part %s ms", ends).isGreaterThan(median(durations) * 0.6);
        assertThat(median(firstBytes))
                .as("first bytes %s ms vs whole part %s ms", firstBytes, ends)
                .isLessThan(median(ends) - 120)
                .isLessThan(median(durations) / 2);

        // HTTP/1.0 knows no chunked encoding: the hinted part comes whole, once finished.
        long[] waitFor = latest.hinted();
        latest = validator.check(get(URI.create(media + "?_HLS_msn=" + waitFor[0] + "&_HLS_part=" + waitFor[1]))
                .body());
        URI hinted = media.resolve(latest.preloadHint());
        Raw old = raw(hinted, "GET", "HTTP/1.0");
        assertThat(old.status()).isEqualTo(200);
        assertThat(old.headers()).doesNotContainKey("transfer-encoding").containsKey("content-length");
        assertThat(old.body()).isEqualTo(bytes(hinted).body());

        // A streamed part after its init segment reads as its frames (a part may start on a P-frame: demuxed, not
        // decoded).
        String playlist = get(media).body();
        String map = playlist.lines()
                .filter(l -> l.startsWith("#EXT-X-MAP:"))
                .findFirst()
                .orElseThrow();
        byte[] init = bytes(media.resolve(map.substring(map.indexOf('"') + 1, map.lastIndexOf('"'))))
                .body();
        Path partFile = node.dir().resolve("streamed-part.mp4");
        Files.write(partFile, concat(init, lastStreamed));
        FfmpegTool.Result decoded = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-count_packets",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=nb_read_packets",
                "-of",
                "csv=p=0",
                partFile.toString());
        assertThat(decoded.exitCode()).as(decoded.stderr()).isZero();
        assertThat(decoded.stderr()).isEmpty();
        assertThat(Integer.parseInt(decoded.stdout().strip())).isBetween(5, 11);

        // A finished segment of the chunked stream reads as H.264 + AAC, without errors.
        String segment = playlist.lines()
                .filter(l -> !l.startsWith("#") && l.matches("[0-9]+\\.m4s.*"))
                .reduce((a, b) -> b)
                .orElseThrow();
        Path segmentFile = node.dir().resolve("segment.mp4");
        Files.write(segmentFile, concat(init, bytes(media.resolve(segment)).body()));
        FfmpegTool.Result probe = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-count_frames",
                "-show_entries",
                "stream=codec_type,codec_name,nb_read_frames",
                "-of",
                "compact",
                segmentFile.toString());
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(probe.stderr()).isEmpty();
        assertThat(probe.stdout()).contains("codec_name=h264|codec_type=video", "codec_name=aac|codec_type=audio");

        // The audio_only rendition's hinted part streams the same way, chunk by chunk.
        URI audio = media.resolve("audio_only/live.m3u8");
        LlHlsValidator audioValidator = new LlHlsValidator();
        long[] audioWait = audioValidator.check(get(audio).body()).hinted();
        LlHlsValidator.Playlist audioLatest =
                audioValidator.check(get(URI.create(audio + "?_HLS_msn=" + audioWait[0] + "&_HLS_part=" + audioWait[1]))
                        .body());
        URI audioPart = audio.resolve(audioLatest.preloadHint());
        Raw audioStreamed = raw(audioPart, "GET");
        assertThat(audioStreamed.status()).isEqualTo(200);
        assertThat(audioStreamed.headers()).containsEntry("transfer-encoding", "chunked");
        assertThat(audioStreamed.chunks()).as("HTTP chunks of %s", audioPart).isGreaterThan(1);
        assertThat(audioStreamed.body()).isEqualTo(bytes(audioPart).body());

        node.ivs().stopStream(b -> b.channelArn(arn));
        assertThat(ffmpeg.get(5, TimeUnit.SECONDS).exitCode()).isNotZero();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = new byte[a.length + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
