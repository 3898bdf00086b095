package io.openivs.server.playback.access;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.services.ivs.IvsClient;

/** Test helpers: publish a generated stream with the ffmpeg executable and wait for it to be playable. */
public final class LiveChannels {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private LiveChannels() {}

    /** ffmpeg publishing {@code size} video + audio for at most {@code seconds}, in the background. */
    public static void publish(
            ExecutorService background, TestServer server, String streamKey, String size, int seconds) {
        background.submit(() -> FfmpegTool.ffmpeg(
                "-hide_banner",
                "-loglevel",
                "error",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=" + size + ":rate=15",
                "-f",
                "lavfi",
                "-i",
                "sine",
                "-t",
                Integer.toString(seconds),
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "15",
                "-c:a",
                "aac",
                "-f",
                "flv",
                "rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/" + streamKey));
    }

    /** Waits until the channel is live per the API and {@code url} answers 200. */
    public static void awaitPlayable(IvsClient ivs, String channelArn, String url, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            boolean live;
            try {
                live = ivs.getStream(b -> b.channelArn(channelArn)).stream() != null;
            } catch (RuntimeException e) {
                live = false;
            }
            if (live && get(url).statusCode() == 200) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not playable within " + limit + ": " + url);
            }
            Thread.sleep(250);
        }
    }

    public static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The first URI line of a playlist, resolved against the playlist's URL. */
    public static String firstUri(String playlistUrl, String body) {
        String line = body.lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank())
                .findFirst()
                .orElseThrow();
        return URI.create(playlistUrl).resolve(line).toString();
    }

    /** The newest URI line of a media playlist (the oldest may leave the window while the test runs). */
    public static String lastUri(String playlistUrl, String body) {
        String line = body.lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank())
                .reduce((a, b) -> b)
                .orElseThrow();
        return URI.create(playlistUrl).resolve(line).toString();
    }
}
