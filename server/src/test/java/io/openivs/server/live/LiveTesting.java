package io.openivs.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.openivs.server.OpenIvsServer;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** Shared steps of the live tests: publish with ffmpeg, wait for a condition, read the events file. */
final class LiveTesting {
    private LiveTesting() {}

    static String rtmpUrl(TestServer server, String key) {
        return "rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/" + key;
    }

    /** ffmpeg with these arguments (input and encoding) publishing to {@code url} as FLV, in the background. */
    static CompletableFuture<FfmpegTool.Result> publish(Executor background, String url, String... args) {
        List<String> command = new ArrayList<>(List.of("-hide_banner", "-loglevel", "error", "-re"));
        command.addAll(List.of(args));
        command.addAll(List.of("-f", "flv", url));
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return FfmpegTool.ffmpeg(command.toArray(String[]::new));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                background);
    }

    /** A generated 30 fps H.264 + AAC stream of this size, {@code seconds} long, with a keyframe every second. */
    static String[] testSource(String size, int seconds) {
        return new String[] {
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=" + size + ":rate=30",
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
            "30",
            "-c:a",
            "aac"
        };
    }

    /** Retries {@code attempt} until it returns non-null without throwing, for at most {@code limit}. */
    static <T> T await(Duration limit, Supplier<T> attempt) throws InterruptedException {
        return io.openivs.server.testing.Publishing.await(limit, attempt);
    }

    /** The events written to the server's events file so far. */
    static List<JsonNode> events(Path dataDir) throws Exception {
        return LiveEventsTest.lines(dataDir.resolve(OpenIvsServer.EVENTS_FILE));
    }
}
