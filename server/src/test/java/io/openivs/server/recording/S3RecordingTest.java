package io.openivs.server.recording;

import static io.openivs.server.testing.Publishing.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openivs.server.config.ServerConfig;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.RecordingConfiguration;
import software.amazon.awssdk.services.ivs.model.RecordingConfigurationState;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Recording to a real S3 API (S3Proxy in this JVM): one 20 s session published with ffmpeg,
 * during which the S3 endpoint goes away for 10 s and comes back on the same port. The live
 * stream keeps playing, and the recording in the bucket is complete, IVS-shaped and playable.
 */
class S3RecordingTest {
    static final String BUCKET = "recordings";

    @TempDir
    static Path dir;

    static S3ProxyServer s3;
    static TestServer server;
    static IvsClient ivs;
    static S3Client bucket;
    static PresigningRelay relay;
    static final Publishing.Events events = new Publishing.Events();
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyServer();
        s3.createBucket(BUCKET);
        server = new TestServer(
                dir,
                TestDatabases.sqlite(dir),
                ServerConfig.Quotas.defaults(),
                List.of(events),
                new ServerConfig.RecordingStorage(
                        s3.endpoint(), "us-east-1", S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY));
        ivs = server.client(TestServer.ALICE);
        relay = new PresigningRelay(s3.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
        bucket = S3Client.builder()
                .endpointOverride(s3.endpoint())
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .requestChecksumCalculation(
                        software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (ivs != null) {
            ivs.close();
        }
        if (server != null) {
            server.close();
        }
        if (bucket != null) {
            bucket.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void bucketThatDoesNotExistEndsCreateFailed() throws Exception {
        RecordingConfiguration rc = ivs.createRecordingConfiguration(
                        b -> b.name("missing").destinationConfiguration(d -> d.s3(s -> s.bucketName("no-such-bucket"))))
                .recordingConfiguration();
        assertThat(rc.state()).isIn(RecordingConfigurationState.CREATING, RecordingConfigurationState.CREATE_FAILED);
        await(Duration.ofSeconds(20), () -> {
            assertThat(ivs.getRecordingConfiguration(b -> b.arn(rc.arn()))
                            .recordingConfiguration()
                            .state())
                    .isEqualTo(RecordingConfigurationState.CREATE_FAILED);
            return true;
        });

        // A channel whose configuration failed still goes live, without a recording.
        CreateChannelResponse ch =
                ivs.createChannel(b -> b.name("unrecorded").insecureIngest(true).recordingConfigurationArn(rc.arn()));
        FfmpegTool.Result published = Publishing.publish(
                        "rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/"
                                + ch.streamKey().value(),
                        2)
                .get(30, TimeUnit.SECONDS);
        assertThat(published.exitCode()).as(published.stderr()).isZero();
        IvsEvent failure = events.awaitRecording(ch.channel().arn(), "Recording Start Failure", Duration.ofSeconds(5));
        assertThat(failure.detail().path("recording_s3_key_prefix").asText()).isEmpty();
        assertThat(failure.detail().path("recording_status_reason").asText()).isNotEmpty();
        assertThat(failure.detail().path("recording_s3_bucket_name").asText()).isEqualTo("no-such-bucket");
        assertThat(events.recording(ch.channel().arn(), "Recording Start")).isEmpty();
    }

    @Test
    void recordsALiveSessionThroughAnS3Outage() throws Exception {
        RecordingConfiguration rc = ivs.createRecordingConfiguration(b -> b.name("rec")
                        .destinationConfiguration(d -> d.s3(s -> s.bucketName(BUCKET)))
                        .thumbnailConfiguration(t -> t.recordingMode("INTERVAL")
                                .targetIntervalSeconds(5L)
                                .resolution("LOWEST_RESOLUTION")
                                .storageWithStrings("SEQUENTIAL", "LATEST")))
                .recordingConfiguration();
        assertThat(rc.state()).isEqualTo(RecordingConfigurationState.CREATING);
        await(Duration.ofSeconds(20), () -> {
            assertThat(ivs.getRecordingConfiguration(b -> b.arn(rc.arn()))
                            .recordingConfiguration()
                            .state())
                    .isEqualTo(RecordingConfigurationState.ACTIVE);
            return true;
        });
        CreateChannelResponse created =
                ivs.createChannel(b -> b.name("recorded").insecureIngest(true).recordingConfigurationArn(rc.arn()));
        String arn = created.channel().arn();
        String channelId = arn.substring(arn.lastIndexOf('/') + 1);

        long publishStart = System.nanoTime();
        CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publish(
                "rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/"
                        + created.streamKey().value(),
                20);
        IvsEvent start = events.awaitRecording(arn, "Recording Start", Duration.ofSeconds(15));
        URI media = await(
                Duration.ofSeconds(10), () -> mediaPlaylist(created.channel().playbackUrl()));

        // The store goes away for 10 s; live playback must go on meanwhile.
        Thread.sleep(2_000);
        s3.stop();
        List<Long> sequences = new ArrayList<>();
        long outageEnd = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < outageEnd) {
            sequences.add(lastSequence(media));
            Thread.sleep(1_000);
        }
        s3.start();
        assertThat(sequences.get(sequences.size() - 1) - sequences.get(0))
                .as("live segments kept coming while S3 was down: %s", sequences)
                .isGreaterThanOrEqualTo(3);

        FfmpegTool.Result published = ffmpeg.get(60, TimeUnit.SECONDS);
        assertThat(published.exitCode()).as(published.stderr()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - publishStart))
                .as("ingest never waited for the store")
                .isLessThan(Duration.ofSeconds(30));

        IvsEvent end = events.awaitRecording(arn, "Recording End", Duration.ofSeconds(60));
        String prefix = end.detail().path("recording_s3_key_prefix").asText();
        assertThat(prefix)
                .isEqualTo(start.detail().path("recording_s3_key_prefix").asText())
                .matches("ivs/v1/" + TestServer.ALICE.accountId() + "/" + channelId
                        + "/20[0-9]{2}/[1-9][0-9]?/[1-9][0-9]?/[0-9]{1,2}/[0-9]{1,2}/[A-Za-z0-9]{12}");
        assertThat(end.detail().path("recording_s3_bucket_name").asText()).isEqualTo(BUCKET);
        assertThat(end.detail().path("recording_session_stream_ids")).hasSize(1);
        assertThat(events.recording(arn, "Recording End Failure")).isEmpty();

        Set<String> keys = new TreeSet<>();
        for (S3Object o : bucket.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix + "/"))
                .contents()) {
            keys.add(o.key().substring(prefix.length() + 1));
        }
        JsonNode ended = json.readTree(object(prefix + "/events/recording-ended.json"));
        assertThat(ended.path("recording_status").asText()).isEqualTo("RECORDING_ENDED");
        assertThat(ended.path("channel_arn").asText()).isEqualTo(arn);
        JsonNode renditions = ended.path("media").path("hls").path("renditions");
        assertThat(renditions).hasSize(1);
        assertThat(renditions.get(0).path("path").asText()).isEqualTo("360p30");
        assertThat(renditions.get(0).path("resolution_width").asInt()).isEqualTo(640);
        assertThat(renditions.get(0).path("resolution_height").asInt()).isEqualTo(360);
        long durationMs = ended.path("media").path("hls").path("duration_ms").asLong();
        assertThat(durationMs).isBetween(17_500L, 22_500L);
        assertThat(end.detail().path("recording_duration_ms").asLong()).isEqualTo(durationMs);
        assertThat(ended.path("media").path("thumbnails").path("path").asText()).isEqualTo("media/thumbnails");
        assertThat(ended.path("media")
                        .path("thumbnails")
                        .path("resolution_height")
                        .asInt())
                .isEqualTo(160);
        assertThat(ended.path("media").path("latest_thumbnail").path("path").asText())
                .isEqualTo("media/latest_thumbnail/thumb.jpg");
        JsonNode started = json.readTree(object(prefix + "/events/recording-started.json"));
        assertThat(started.path("recording_status").asText()).isEqualTo("RECORDING_STARTED");

        String playlist = new String(object(prefix + "/media/hls/360p30/playlist.m3u8"));
        assertThat(playlist).contains("#EXT-X-PLAYLIST-TYPE:VOD").endsWith("#EXT-X-ENDLIST\n");
        long segments = playlist.lines().filter(l -> l.endsWith(".ts")).count();
        List<String> expected = new ArrayList<>(List.of(
                "events/recording-started.json",
                "events/recording-ended.json",
                "media/hls/master.m3u8",
                "media/hls/byte-range-multivariant.m3u8",
                "media/hls/360p30/playlist.m3u8",
                "media/hls/360p30/byte-range-variant.m3u8",
                "media/latest_thumbnail/thumb.jpg"));
        for (int i = 0; i < segments; i++) {
            expected.add("media/hls/360p30/" + i + ".ts");
        }
        assertThat(keys).containsAll(expected);

        // Sequential thumbnails every 5 s of a 20 s recording, all real JPEGs, at the lowest resolution (160p).
        List<String> thumbs =
                keys.stream().filter(k -> k.startsWith("media/thumbnails/")).toList();
        assertThat(thumbs).hasSizeBetween(3, 5);
        for (int i = 0; i < thumbs.size(); i++) {
            assertThat(keys).contains("media/thumbnails/thumb" + i + ".jpg");
            byte[] jpeg = object(prefix + "/media/thumbnails/thumb" + i + ".jpg");
            assertThat(jpeg).startsWith((byte) 0xFF, (byte) 0xD8).endsWith((byte) 0xFF, (byte) 0xD9);
        }
        FfmpegTool.Result thumb = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-show_entries",
                "stream=codec_name,width,height",
                "-of",
                "csv=p=0",
                relay.url(BUCKET, prefix + "/media/thumbnails/thumb0.jpg"));
        assertThat(thumb.stdout().trim()).as(thumb.stderr()).isEqualTo("mjpeg,284,160");

        // The VOD plays from S3 for the whole session, give or take a segment.
        String master = relay.url(BUCKET, prefix + "/media/hls/master.m3u8");
        FfmpegTool.Result probe =
                FfmpegTool.ffprobe("-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", master);
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(Double.parseDouble(probe.stdout().trim())).isBetween(17.5, 22.5);
    }

    private static byte[] object(String key) {
        return bucket.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
    }

    private static URI mediaPlaylist(String playbackUrl) {
        try {
            HttpResponse<String> master = http.send(
                    HttpRequest.newBuilder(URI.create(playbackUrl)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(master.statusCode()).isEqualTo(200);
            String uri = master.body()
                    .lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank())
                    .findFirst()
                    .orElseThrow();
            return URI.create(playbackUrl).resolve(uri);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Pattern SEGMENT = Pattern.compile("(?m)^([0-9]+)\\.ts$");

    private static long lastSequence(URI media) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(media).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Matcher m = SEGMENT.matcher(r.body());
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }
}
