package io.openivs.server.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openivs.server.config.ServerConfig;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.resource.Json;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.RecordingConfiguration;
import software.amazon.awssdk.services.ivs.model.RecordingConfigurationState;
import software.amazon.awssdk.services.ivs.model.RenditionConfigurationRendition;
import software.amazon.awssdk.services.ivs.model.RenditionConfigurationRenditionSelection;

/**
 * A transcoded channel's recording follows its configuration's renditionConfiguration: each selected
 * rendition in its own folder of IVS's layout, listed in the master and in recording-ended.json;
 * NONE records thumbnails only. Folder recording; three short publishes at once, small sizes.
 */
class TranscodedRecordingTest {
    static final Publishing.Events events = new Publishing.Events();

    @RegisterExtension
    static final ServerFixture node = new ServerFixture(dir -> new TestServer(
            dir,
            TestDatabases.sqlite(dir),
            List.of(events),
            c -> c.withTranscoding(new ServerConfig.Transcoding(true, 2))));

    private static String configuration(
            String bucket, RenditionConfigurationRenditionSelection selection, RenditionConfigurationRendition... r)
            throws InterruptedException {
        RecordingConfiguration rc = node.ivs()
                .createRecordingConfiguration(b -> b.name(bucket)
                        .destinationConfiguration(d -> d.s3(s -> s.bucketName(bucket)))
                        .renditionConfiguration(c -> {
                            c.renditionSelection(selection);
                            if (r.length > 0) {
                                c.renditions(r);
                            }
                        }))
                .recordingConfiguration();
        Publishing.await(Duration.ofSeconds(10), () -> {
            assertThat(node.ivs()
                            .getRecordingConfiguration(b -> b.arn(rc.arn()))
                            .recordingConfiguration()
                            .state())
                    .isEqualTo(RecordingConfigurationState.ACTIVE);
            return true;
        });
        return rc.arn();
    }

    private static CompletableFuture<FfmpegTool.Result> publish(CreateChannelResponse ch, String size, int seconds) {
        return Publishing.publishSized(node.rtmpUrl(ch), size, seconds);
    }

    private static Path folder(String bucket, IvsEvent end) {
        return node.dir()
                .resolve("recordings")
                .resolve(bucket)
                .resolve(end.detail().path("recording_s3_key_prefix").asText());
    }

    private static List<String> paths(JsonNode doc) {
        List<String> out = new ArrayList<>();
        doc.path("media")
                .path("hls")
                .path("renditions")
                .forEach(r -> out.add(r.path("path").asText()));
        return out;
    }

    /** ffprobe of a recorded rendition playlist: "width,height" of its video and its duration. */
    private static String[] probe(Path playlist) throws Exception {
        FfmpegTool.Result size = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=width,height",
                "-of",
                "csv=p=0",
                playlist.toString());
        assertThat(size.exitCode()).as(size.stderr()).isZero();
        FfmpegTool.Result duration = FfmpegTool.ffprobe(
                "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", playlist.toString());
        assertThat(duration.exitCode()).as(duration.stderr()).isZero();
        return new String[] {
            size.stdout().trim().lines().findFirst().orElse(""),
            duration.stdout().trim()
        };
    }

    @Test
    void selectedRenditionsAreRecordedEachInItsFolder() throws Exception {
        // STANDARD, MPEG-TS, CUSTOM [SD, HD] of a 960x540 input: the source (540p30, HD) and 480p30 (SD).
        String custom = configuration(
                "custom-recordings",
                RenditionConfigurationRenditionSelection.CUSTOM,
                RenditionConfigurationRendition.SD,
                RenditionConfigurationRendition.HD);
        CreateChannelResponse ts = node.ivs()
                .createChannel(b -> b.name("custom")
                        .type("STANDARD")
                        .latencyMode("NORMAL")
                        .insecureIngest(true)
                        .recordingConfigurationArn(custom));
        // STANDARD, fMP4, ALL of a 640x360 input: the source (360p30, which stands for the 360p30 rung) and 160p30.
        String all = configuration("all-recordings", RenditionConfigurationRenditionSelection.ALL);
        CreateChannelResponse fmp4 = node.ivs()
                .createChannel(b -> b.name("all")
                        .type("STANDARD")
                        .latencyMode("LOW")
                        .containerFormat(ContainerFormat.FRAGMENTED_MP4)
                        .insecureIngest(true)
                        .recordingConfigurationArn(all));
        // BASIC, NONE: thumbnails only.
        String none = configuration("none-recordings", RenditionConfigurationRenditionSelection.NONE);
        CreateChannelResponse basic = node.ivs()
                .createChannel(
                        b -> b.name("none").type("BASIC").insecureIngest(true).recordingConfigurationArn(none));

        CompletableFuture<FfmpegTool.Result> a = publish(ts, "960x540", 14);
        CompletableFuture<FfmpegTool.Result> b = publish(fmp4, "640x360", 14);
        CompletableFuture<FfmpegTool.Result> c = publish(basic, "640x360", 6);
        for (CompletableFuture<FfmpegTool.Result> p : List.of(a, b, c)) {
            FfmpegTool.Result r = p.get(60, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.stderr()).isZero();
        }

        // CUSTOM [SD, HD]
        IvsEvent end = events.awaitRecording(ts.channel().arn(), "Recording End", Duration.ofSeconds(30));
        Path dir = folder("custom-recordings", end);
        JsonNode ended = Json.parseObject(Files.readString(dir.resolve("events/recording-ended.json")));
        assertThat(paths(ended)).containsExactly("540p30", "480p30");
        assertThat(paths(Json.parseObject(Files.readString(dir.resolve("events/recording-started.json")))))
                .containsExactly("540p30", "480p30");
        assertThat(ended.path("media")
                        .path("hls")
                        .path("renditions")
                        .get(1)
                        .path("resolution_width")
                        .asInt())
                .isEqualTo(852);
        assertThat(dir.resolve("media/hls/360p30")).doesNotExist();
        assertThat(dir.resolve("media/hls/160p30")).doesNotExist();
        String master = Files.readString(dir.resolve("media/hls/master.m3u8"));
        assertThat(master).contains("540p30/playlist.m3u8").contains("480p30/playlist.m3u8");
        assertThat(Files.readString(dir.resolve("media/hls/byte-range-multivariant.m3u8")))
                .contains("480p30/byte-range-variant.m3u8");
        String[] source = probe(dir.resolve("media/hls/540p30/playlist.m3u8"));
        String[] sd = probe(dir.resolve("media/hls/480p30/playlist.m3u8"));
        System.out.println("recorded 540p30 " + String.join(" ", source) + ", 480p30 " + String.join(" ", sd));
        assertThat(source[0]).isEqualTo("960,540");
        assertThat(sd[0]).isEqualTo("852,480");
        assertThat(Double.parseDouble(source[1])).isBetween(10.0, 15.0);
        // The rung starts once the transcoder's first output lines up with a source segment.
        assertThat(Double.parseDouble(sd[1])).isBetween(4.0, 15.0);
        assertThat(Files.readString(dir.resolve("media/hls/480p30/playlist.m3u8")))
                .contains("#EXT-X-ENDLIST");

        // ALL on an fMP4 channel: MPEG-TS folders for the source and the 160p30 rung.
        IvsEvent allEnd = events.awaitRecording(fmp4.channel().arn(), "Recording End", Duration.ofSeconds(30));
        Path allDir = folder("all-recordings", allEnd);
        assertThat(paths(Json.parseObject(Files.readString(allDir.resolve("events/recording-ended.json")))))
                .containsExactly("360p30", "160p30");
        byte[] first = Files.readAllBytes(allDir.resolve("media/hls/160p30/0.ts"));
        assertThat(first[0]).as("MPEG-TS sync byte").isEqualTo((byte) 0x47);
        String[] low = probe(allDir.resolve("media/hls/160p30/playlist.m3u8"));
        assertThat(low[0]).isEqualTo("284,160");
        assertThat(Double.parseDouble(low[1])).isBetween(4.0, 15.0);

        // NONE: no video, the thumbnail still.
        IvsEvent noneEnd = events.awaitRecording(basic.channel().arn(), "Recording End", Duration.ofSeconds(30));
        Path noneDir = folder("none-recordings", noneEnd);
        JsonNode noneDoc = Json.parseObject(Files.readString(noneDir.resolve("events/recording-ended.json")));
        assertThat(paths(noneDoc)).isEmpty();
        assertThat(noneDoc.path("media").path("hls").path("duration_ms").asLong())
                .isBetween(4_000L, 8_000L);
        assertThat(noneDir.resolve("media/hls/360p30")).doesNotExist();
        assertThat(noneDir.resolve("media/thumbnails/thumb0.jpg")).exists();
    }
}
