package io.openivs.server.reliability;

import static io.openivs.server.testing.Publishing.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.RecordingConfigurationState;

/**
 * Issue 16: SIGTERM while ffmpeg publishes to a recording channel and a viewer polls its playlist. The
 * viewer must be told the stream ended (EXT-X-ENDLIST, not a 404), the publisher disconnected, the
 * session ended in the store by this run (not by the next start's orphan sweep), and the session's and
 * recording's last events written, each once.
 */
class GracefulShutdownTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void sigtermEndsPlaylistsSessionsAndRecordings() throws Exception {
        String bucket = "graceful";
        ChildServer server = ChildServer.start(dir, List.of("--shutdown-grace", "20"));
        String channelArn;
        String streamId;
        CompletableFuture<FfmpegTool.Result> publisher;
        AtomicReference<String> lastPlaylist = new AtomicReference<>("");
        AtomicReference<Integer> lastStatus = new AtomicReference<>(0);
        Thread viewer;
        try (IvsClient ivs = server.ivs()) {
            String rc = ivs.createRecordingConfiguration(
                            b -> b.name("rec").destinationConfiguration(d -> d.s3(s -> s.bucketName(bucket))))
                    .recordingConfiguration()
                    .arn();
            await(
                    Duration.ofSeconds(15),
                    () -> ivs.getRecordingConfiguration(b -> b.arn(rc))
                                            .recordingConfiguration()
                                            .state()
                                    == RecordingConfigurationState.ACTIVE
                            ? true
                            : null);
            CreateChannelResponse ch = ivs.createChannel(
                    b -> b.name("graceful").insecureIngest(true).recordingConfigurationArn(rc));
            channelArn = ch.channel().arn();
            publisher = Publishing.publish(server.rtmpUrl(ch.streamKey().value()), 55);
            streamId = await(Duration.ofSeconds(30), () -> streamOf("Recording Start"));

            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            URI master = URI.create(ch.channel().playbackUrl());
            URI media = await(Duration.ofSeconds(30), () -> {
                try {
                    HttpResponse<String> r =
                            http.send(HttpRequest.newBuilder(master).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        return null;
                    }
                    for (String line : r.body().split("\n")) {
                        if (!line.isBlank() && !line.startsWith("#")) {
                            return master.resolve(line.trim());
                        }
                    }
                    return null;
                } catch (IOException | InterruptedException e) {
                    return null;
                }
            });
            await(Duration.ofSeconds(30), () -> count(get(http, media, lastStatus), "#EXTINF") >= 2 ? true : null);
            // A player: reloads the media playlist every half second over one kept-alive client, until it ends.
            viewer = new Thread(() -> {
                while (!lastPlaylist.get().contains("#EXT-X-ENDLIST")) {
                    String body = get(http, media, lastStatus);
                    if (body != null) {
                        lastPlaylist.set(body);
                    }
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            viewer.setDaemon(true);
            viewer.start();
            await(Duration.ofSeconds(10), () -> lastPlaylist.get().contains("#EXTINF") ? true : null);
        }

        server.process.toHandle().destroy(); // SIGTERM
        try {
            await(Duration.ofSeconds(30), () -> lastPlaylist.get().contains("#EXT-X-ENDLIST") ? true : null);
            assertThat(server.process.waitFor(40, TimeUnit.SECONDS))
                    .as("stopped within the grace period and its recordings' wrap-up")
                    .isTrue();
        } finally {
            viewer.interrupt();
            server.close();
        }
        String ended = lastPlaylist.get();
        assertThat(ended).contains("#EXTINF").doesNotContain("#EXT-X-PREFETCH");
        assertThat(ended.trim()).endsWith("#EXT-X-ENDLIST");

        // The publisher was disconnected by the server (an error for ffmpeg), well before its input's end.
        FfmpegTool.Result published = publisher.get(30, TimeUnit.SECONDS);
        assertThat(published.exitCode()).as("ffmpeg lost its connection").isNotZero();
        List<String> out = new ArrayList<>(server.output);
        assertThat(out).anyMatch(l -> l.contains("their playlists end with EXT-X-ENDLIST"));
        assertThat(out).anyMatch(l -> l.contains("stream sessions ended"));
        assertThat(out).anyMatch(l -> l.contains("openivs: stopped"));

        // Ended in the store by this run: the next start has nothing to end.
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("openivs.db"));
                PreparedStatement q = db.prepareStatement("SELECT end_time FROM stream_sessions WHERE stream_id = ?")) {
            q.setString(1, streamId);
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getObject("end_time"))
                        .as("session end in the store")
                        .isNotNull();
            }
        }
        for (String name : List.of("Stream End", "Session Ended", "Recording End")) {
            assertThat(streamEvents(streamId, name)).as(name).hasSize(1);
        }
        assertThat(streamEvents(streamId, "Recording End Failure")).isEmpty();
        String prefix = streamEvents(streamId, "Recording Start")
                .get(0)
                .path("detail")
                .path("recording_s3_key_prefix")
                .asText();
        Path folder = dir.resolve("recordings").resolve(bucket).resolve(prefix);
        assertThat(folder.resolve("events/recording-ended.json")).exists();
        assertThat(Files.readString(folder.resolve("media/hls/360p30/playlist.m3u8")))
                .contains("#EXT-X-ENDLIST");
        try (var left = Files.list(dir.resolve("recording-spool").resolve("open-recordings"))) {
            assertThat(left.toList()).as("no recording left for the next start").isEmpty();
        }
        assertThat(channelArn).isNotBlank();
    }

    /** The body of a 200 answer, else null (its status kept). */
    private static String get(HttpClient http, URI uri, AtomicReference<Integer> status) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            status.set(r.statusCode());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int count(String text, String what) {
        if (text == null) {
            return 0;
        }
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private String streamOf(String name) {
        JsonNode e = EventsFile.first(EventsFile.read(dir), name);
        return e == null ? null : e.path("detail").path("stream_id").asText();
    }

    private List<JsonNode> streamEvents(String streamId, String name) {
        return EventsFile.ofStream(dir, streamId, name);
    }
}
