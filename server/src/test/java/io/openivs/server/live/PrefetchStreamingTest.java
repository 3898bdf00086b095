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
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * LOW channels' LHLS prefetch segments with a real ffmpeg publisher: the media playlist lists the
 * segment being written and the next after its last finished one; a GET of the next one is held
 * until it begins, then its bytes arrive chunk by chunk while it is still unlisted, and they are
 * exactly the segment served once it is listed. MPEG-TS (read by ffprobe as H.264 + AAC) and fMP4
 * (whose LL-HLS playlist stays valid with the prefetch lines).
 */
class PrefetchStreamingTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void tsPrefetchSegmentsStreamBeforeTheyAreListed() throws Exception {
        prefetchStreams(ContainerFormat.TS, "prefetch-ts");
    }

    @Test
    void fmp4PrefetchSegmentsStreamBeforeTheyAreListed() throws Exception {
        prefetchStreams(ContainerFormat.FRAGMENTED_MP4, "prefetch-fmp4");
    }

    private void prefetchStreams(ContainerFormat container, String name) throws Exception {
        boolean fmp4 = container == ContainerFormat.FRAGMENTED_MP4;
        CreateChannelResponse created = node.ivs()
                .createChannel(b -> b.name(name)
                        .insecureIngest(true)
                        .latencyMode(ChannelLatencyMode.LOW)
                        .containerFormat(container));
        URI playbackUrl = URI.create(created.channel().playbackUrl());
        CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publishLowLatency(
                "rtmp://127.0.0.1:" + node.server().server().rtmpPort() + "/app/"
                        + created.streamKey().value(),
                30);
        URI media = playbackUrl.resolve(Publishing.await(Duration.ofSeconds(15), () -> {
            HttpResponse<String> master = get(playbackUrl);
            return master.statusCode() != 200
                    ? null
                    : master.body()
                            .lines()
                            .filter(l -> l.endsWith(".m3u8"))
                            .findFirst()
                            .orElseThrow();
        }));
        String playlist = Publishing.await(Duration.ofSeconds(15), () -> {
            HttpResponse<String> r = get(media);
            return r.statusCode() == 200 && r.body().contains("#EXT-X-PREFETCH:") ? r.body() : null;
        });
        if (fmp4) {
            new LlHlsValidator().check(playlist);
        }
        List<String> prefetch = prefetchUris(playlist);
        assertThat(prefetch).hasSize(2);
        long last = lastListed(playlist);
        String extension = fmp4 ? ".m4s" : ".ts";
        assertThat(prefetch).containsExactly((last + 1) + extension, (last + 2) + extension);

        // The next segment, not begun: held until it begins, then streamed while it is written.
        URI next = media.resolve(prefetch.get(1));
        byte[] streamed;
        double firstByteMs;
        double endMs;
        try (Streaming s = new Streaming(next)) {
            assertThat(s.status).isEqualTo(200);
            assertThat(s.headers)
                    .containsEntry("transfer-encoding", "chunked")
                    .containsEntry("content-type", fmp4 ? "video/mp4" : "video/mp2t")
                    .doesNotContainKey("content-length");
            byte[] first = s.nextChunk();
            firstByteMs = s.sinceSent();
            assertThat(first).isNotNull().isNotEmpty();
            String meanwhile = get(media).body();
            assertThat(listed(meanwhile))
                    .as("%s unlisted while its first bytes arrive:%n%s", next, meanwhile)
                    .doesNotContain(last + 2);
            assertThat(prefetchUris(meanwhile)).contains(prefetch.get(1));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(first);
            int chunks = 1;
            for (byte[] c = s.nextChunk(); c != null; c = s.nextChunk()) {
                all.writeBytes(c);
                chunks++;
            }
            endMs = s.sinceSent();
            assertThat(chunks).as("chunks of %s", next).isGreaterThan(10);
            streamed = all.toByteArray();
        }
        System.out.printf(
                Locale.ROOT,
                "%s prefetch %s: first bytes after %.0f ms, whole after %.0f ms, %d bytes%n",
                container,
                next.getPath(),
                firstByteMs,
                endMs,
                streamed.length);
        assertThat(endMs - firstByteMs)
                .as("streamed over the segment's duration")
                .isGreaterThan(1000);

        HttpResponse<byte[]> listedSegment =
                http.send(HttpRequest.newBuilder(next).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(listedSegment.statusCode()).isEqualTo(200);
        assertThat(listedSegment.headers().firstValue("content-length")).hasValue(Integer.toString(streamed.length));
        assertThat(streamed).as("streamed bytes are the listed segment").isEqualTo(listedSegment.body());
        String after = get(media).body();
        assertThat(listed(after)).contains(last + 2);
        if (fmp4) {
            new LlHlsValidator().check(after);
        }

        Path file = node.dir().resolve(name + (fmp4 ? ".mp4" : ".ts"));
        if (fmp4) {
            String map = after.lines()
                    .filter(l -> l.startsWith("#EXT-X-MAP:"))
                    .reduce((a, b) -> b)
                    .orElseThrow();
            byte[] init = http.send(
                            HttpRequest.newBuilder(
                                            media.resolve(map.substring(map.indexOf('"') + 1, map.lastIndexOf('"'))))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray())
                    .body();
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            joined.writeBytes(init);
            joined.writeBytes(streamed);
            Files.write(file, joined.toByteArray());
        } else {
            Files.write(file, streamed);
        }
        FfmpegTool.Result probe = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-count_frames",
                "-show_entries",
                "stream=codec_type,codec_name,nb_read_frames",
                "-of",
                "compact",
                file.toString());
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(probe.stdout()).contains("codec_name=h264|codec_type=video", "codec_name=aac|codec_type=audio");

        node.ivs().stopStream(b -> b.channelArn(created.channel().arn()));
        ffmpeg.get(10, TimeUnit.SECONDS);
    }

    private static HttpResponse<String> get(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> prefetchUris(String playlist) {
        return playlist.lines()
                .filter(l -> l.startsWith("#EXT-X-PREFETCH:"))
                .map(l -> l.substring("#EXT-X-PREFETCH:".length()))
                .toList();
    }

    /** Sequence numbers of the finished segments a playlist lists. */
    private static List<Long> listed(String playlist) {
        return playlist.lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank() && l.matches("[0-9]+\\.(ts|m4s).*"))
                .map(l -> Long.parseLong(l.substring(0, l.indexOf('.'))))
                .toList();
    }

    private static long lastListed(String playlist) {
        List<Long> all = listed(playlist);
        return all.get(all.size() - 1);
    }

    /** A bare HTTP/1.1 GET whose chunked body is read chunk by chunk as it arrives. */
    private static final class Streaming implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final long sent;
        final int status;
        final Map<String, String> headers = new HashMap<>();

        Streaming(URI uri) throws IOException {
            socket = new Socket(uri.getHost(), uri.getPort());
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
            sent = System.nanoTime();
            socket.getOutputStream()
                    .write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            status = Integer.parseInt(line().split(" ")[1]);
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                headers.put(
                        h.substring(0, colon).toLowerCase(Locale.ROOT),
                        h.substring(colon + 1).strip());
            }
        }

        /** The next chunk's bytes, or null after the last. */
        byte[] nextChunk() throws IOException {
            int size = Integer.parseInt(line(), 16);
            if (size == 0) {
                assertThat(line()).as("no trailers").isEmpty();
                return null;
            }
            byte[] bytes = in.readNBytes(size);
            assertThat(line()).as("chunk ends with CRLF").isEmpty();
            return bytes;
        }

        double sinceSent() {
            return (System.nanoTime() - sent) / 1e6;
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                assertThat(c).as("connection open").isNotNegative();
                b.write(c);
            }
            String s = b.toString(StandardCharsets.US_ASCII);
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
