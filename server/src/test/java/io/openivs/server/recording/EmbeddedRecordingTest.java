package io.openivs.server.recording;

import static io.openivs.server.testing.Publishing.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.config.ServerConfig;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.RecordingConfiguration;
import software.amazon.awssdk.services.ivs.model.RecordingConfigurationState;

/**
 * Recording with no S3 at all: buckets are folders under the data dir, and the playback port
 * serves them at {@code /recordings/<bucket>/<key>}. Also where reconnects merge or split.
 */
class EmbeddedRecordingTest {
    static final Publishing.Events events = new Publishing.Events();

    @RegisterExtension
    static final ServerFixture node = new ServerFixture(
            dir -> new TestServer(dir, TestDatabases.sqlite(dir), ServerConfig.Quotas.defaults(), List.of(events)));

    static final HttpClient http = HttpClient.newHttpClient();

    private static String activeConfiguration(String bucket, int windowSeconds) throws InterruptedException {
        RecordingConfiguration rc = node.ivs()
                .createRecordingConfiguration(b -> b.name(bucket)
                        .destinationConfiguration(d -> d.s3(s -> s.bucketName(bucket)))
                        .recordingReconnectWindowSeconds(windowSeconds))
                .recordingConfiguration();
        await(Duration.ofSeconds(10), () -> {
            assertThat(node.ivs()
                            .getRecordingConfiguration(b -> b.arn(rc.arn()))
                            .recordingConfiguration()
                            .state())
                    .isEqualTo(RecordingConfigurationState.ACTIVE);
            return true;
        });
        return rc.arn();
    }

    private static CreateChannelResponse channel(String name, String recordingConfigurationArn) {
        return node.ivs()
                .createChannel(
                        b -> b.name(name).insecureIngest(true).recordingConfigurationArn(recordingConfigurationArn));
    }

    private static CompletableFuture<FfmpegTool.Result> publish(CreateChannelResponse ch, int seconds) {
        return Publishing.publish(
                "rtmp://127.0.0.1:" + node.server().server().rtmpPort() + "/app/"
                        + ch.streamKey().value(),
                seconds);
    }

    private static void awaitOffline(String channelArn) throws InterruptedException {
        await(Duration.ofSeconds(10), () -> {
            assertThatThrownBy(() -> node.ivs().getStream(b -> b.channelArn(channelArn)))
                    .isInstanceOf(ChannelNotBroadcastingException.class);
            return true;
        });
    }

    @Test
    void recordsToTheDataDirAndReplaysFromThePlaybackPort() throws Exception {
        CreateChannelResponse ch = channel("laptop", activeConfiguration("laptop-recordings", 0));
        FfmpegTool.Result published = publish(ch, 6).get(30, TimeUnit.SECONDS);
        assertThat(published.exitCode()).as(published.stderr()).isZero();

        IvsEvent end = events.awaitRecording(ch.channel().arn(), "Recording End", Duration.ofSeconds(20));
        String prefix = end.detail().path("recording_s3_key_prefix").asText();
        Path folder =
                node.dir().resolve("recordings").resolve("laptop-recordings").resolve(prefix);
        assertThat(folder.resolve("events/recording-started.json")).exists();
        assertThat(Files.readString(folder.resolve("events/recording-ended.json")))
                .contains("\"RECORDING_ENDED\"");
        // Default thumbnail configuration: one every 60 s, so the first one only.
        assertThat(folder.resolve("media/thumbnails/thumb0.jpg")).exists();
        assertThat(folder.resolve("media/thumbnails/thumb1.jpg")).doesNotExist();

        String master = "http://127.0.0.1:" + node.server().server().playbackPort() + "/recordings/laptop-recordings/"
                + prefix + "/media/hls/master.m3u8";
        HttpResponse<String> served =
                http.send(HttpRequest.newBuilder(URI.create(master)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("content-type")).hasValue("application/vnd.apple.mpegurl");
        assertThat(served.body()).contains("360p30/playlist.m3u8");
        FfmpegTool.Result probe =
                FfmpegTool.ffprobe("-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", master);
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(Double.parseDouble(probe.stdout().trim())).isBetween(4.0, 8.5);

        // Only what the store wrote is served.
        String outside = "http://127.0.0.1:" + node.server().server().playbackPort()
                + "/recordings/laptop-recordings/../openivs.db";
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(outside)).build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void anFmp4ChannelIsRecordedAsMpegTsSegments() throws Exception {
        String rc = activeConfiguration("fmp4-recordings", 0);
        CreateChannelResponse ch = node.ivs()
                .createChannel(b -> b.name("fmp4")
                        .insecureIngest(true)
                        .containerFormat(software.amazon.awssdk.services.ivs.model.ContainerFormat.FRAGMENTED_MP4)
                        .recordingConfigurationArn(rc));
        FfmpegTool.Result published = publish(ch, 6).get(30, TimeUnit.SECONDS);
        assertThat(published.exitCode()).as(published.stderr()).isZero();

        IvsEvent end = events.awaitRecording(ch.channel().arn(), "Recording End", Duration.ofSeconds(20));
        Path folder = node.dir()
                .resolve("recordings")
                .resolve("fmp4-recordings")
                .resolve(end.detail().path("recording_s3_key_prefix").asText());
        byte[] first = Files.readAllBytes(folder.resolve("media/hls/360p30/0.ts"));
        assertThat(first[0]).as("MPEG-TS sync byte").isEqualTo((byte) 0x47);
        assertThat(folder.resolve("media/thumbnails/thumb0.jpg")).exists();
        FfmpegTool.Result probe = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
                folder.resolve("media/hls/master.m3u8").toString());
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(Double.parseDouble(probe.stdout().trim())).isBetween(4.0, 8.5);
    }

    @Test
    void aReconnectInsideTheWindowContinuesTheRecordingOneOutsideStartsAnother() throws Exception {
        CreateChannelResponse merged = channel("merged", activeConfiguration("merged-recordings", 8));
        CreateChannelResponse split = channel("split", activeConfiguration("split-recordings", 0));
        for (int round = 0; round < 2; round++) {
            CompletableFuture<FfmpegTool.Result> a = publish(merged, 4);
            CompletableFuture<FfmpegTool.Result> b = publish(split, 4);
            assertThat(a.get(30, TimeUnit.SECONDS).exitCode()).isZero();
            assertThat(b.get(30, TimeUnit.SECONDS).exitCode()).isZero();
            awaitOffline(merged.channel().arn());
            awaitOffline(split.channel().arn());
        }

        String mergedArn = merged.channel().arn();
        IvsEvent end = events.awaitRecording(mergedArn, "Recording End", Duration.ofSeconds(20));
        assertThat(end.detail().path("recording_session_stream_ids")).hasSize(2);
        assertThat(events.recording(mergedArn, "Recording Start")).hasSize(1);
        Path folder = node.dir()
                .resolve("recordings/merged-recordings")
                .resolve(end.detail().path("recording_s3_key_prefix").asText());
        String playlist = Files.readString(folder.resolve("media/hls/360p30/playlist.m3u8"));
        assertThat(playlist).contains("#EXT-X-DISCONTINUITY").contains("#EXT-X-ENDLIST");
        assertThat(end.detail().path("recording_duration_ms").asLong()).isBetween(6_000L, 10_000L);

        String splitArn = split.channel().arn();
        List<IvsEvent> ends = await(Duration.ofSeconds(10), () -> {
            List<IvsEvent> l = events.recording(splitArn, "Recording End");
            return l.size() == 2 ? l : null;
        });
        assertThat(ends.get(0).detail().path("recording_s3_key_prefix").asText())
                .isNotEqualTo(
                        ends.get(1).detail().path("recording_s3_key_prefix").asText());
        assertThat(events.recording(splitArn, "Recording Start")).hasSize(2);
    }

    /**
     * A node stopped while a stream's recording waits out its reconnect window ends the recording at once (the
     * window is not waited out) and stops within its grace: the recorder's pending window timer once kept it
     * (and the uploader and the events behind it) for another 30 s.
     */
    @Test
    void aStopWithinAReconnectWindowEndsTheRecordingAtOnce(@TempDir Path dir) throws Exception {
        Publishing.Events own = new Publishing.Events();
        TestServer stopped =
                new TestServer(dir, TestDatabases.sqlite(dir), ServerConfig.Quotas.defaults(), List.of(own));
        String channelArn;
        try (IvsClient ivs = stopped.client(TestServer.ALICE)) {
            String rc = Publishing.activeRecordingConfiguration(ivs, "window-recordings", 300);
            CreateChannelResponse ch = ivs.createChannel(
                    b -> b.name("stopped-in-window").insecureIngest(true).recordingConfigurationArn(rc));
            channelArn = ch.channel().arn();
            FfmpegTool.Result published = Publishing.publish(
                            "rtmp://127.0.0.1:" + stopped.server().rtmpPort() + "/app/"
                                    + ch.streamKey().value(),
                            4)
                    .get(30, TimeUnit.SECONDS);
            assertThat(published.exitCode()).as(published.stderr()).isZero();
            await(Duration.ofSeconds(10), () -> {
                assertThatThrownBy(() -> ivs.getStream(b -> b.channelArn(channelArn)))
                        .isInstanceOf(ChannelNotBroadcastingException.class);
                return true;
            });
        } catch (Exception | AssertionError e) {
            stopped.close();
            throw e;
        }
        assertThat(own.recording(channelArn, "Recording End"))
                .as("inside its window")
                .isEmpty();

        long closing = System.nanoTime();
        stopped.close(); // a 3 s grace
        assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(15));
        IvsEvent end = own.awaitRecording(channelArn, "Recording End", Duration.ofSeconds(1));
        assertThat(dir.resolve("recordings/window-recordings")
                        .resolve(end.detail().path("recording_s3_key_prefix").asText())
                        .resolve("events/recording-ended.json"))
                .exists();
    }
}
