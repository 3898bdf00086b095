package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.GetStreamSessionResponse;
import software.amazon.awssdk.services.ivs.model.Stream;
import software.amazon.awssdk.services.ivs.model.StreamHealth;
import software.amazon.awssdk.services.ivs.model.StreamSessionSummary;

/**
 * A channel carrying real video: the ffmpeg executable publishes a generated H.264 + AAC stream
 * over RTMP, the control API (AWS SDK) sees it live, ffprobe plays the channel's playbackUrl,
 * and StopStream takes it off air.
 */
class LivePublishTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    static final HttpClient http = HttpClient.newHttpClient();

    private static CompletableFuture<FfmpegTool.Result> publish(String url, int seconds) {
        return Publishing.publish(url, seconds);
    }

    private String rtmpUrl(String key) {
        return "rtmp://127.0.0.1:" + node.server().server().rtmpPort() + "/app/" + key;
    }

    private static <T> T await(Duration limit, Supplier<T> attempt) throws InterruptedException {
        return Publishing.await(limit, attempt);
    }

    /** ffprobe's view of the streams once the playback URL plays. */
    private static FfmpegTool.Result probeWhenPlayable(String playbackUrl, Duration limit) throws InterruptedException {
        return await(limit, () -> {
            try {
                FfmpegTool.Result r = FfmpegTool.ffprobe(
                        "-v",
                        "error",
                        "-show_entries",
                        "stream=codec_name,width,height",
                        "-of",
                        "csv=p=0",
                        playbackUrl);
                assertThat(r.exitCode()).as(r.stderr()).isZero();
                return r;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void publishPlayAndStop() throws Exception {
        CreateChannelResponse created =
                node.ivs().createChannel(b -> b.name("live").insecureIngest(true));
        String arn = created.channel().arn();
        String playbackUrl = created.channel().playbackUrl();
        assertThat(playbackUrl).contains(":" + node.server().server().playbackPort() + "/");

        // Offline channel: nothing to play.
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(playbackUrl)).build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(404);

        CompletableFuture<FfmpegTool.Result> ffmpeg =
                publish(rtmpUrl(created.streamKey().value()), 15);

        Stream live = await(Duration.ofSeconds(8), () -> node.ivs().getStream(b -> b.channelArn(arn)).stream());
        assertThat(live.stateAsString()).isEqualTo("LIVE");
        assertThat(live.streamId()).startsWith("st-");
        assertThat(live.playbackUrl()).isEqualTo(playbackUrl);

        FfmpegTool.Result probe = probeWhenPlayable(playbackUrl, Duration.ofSeconds(10));
        assertThat(probe.stdout()).contains("h264,640,360").contains("aac");

        HttpResponse<String> master = http.send(
                HttpRequest.newBuilder(URI.create(playbackUrl)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(master.headers().firstValue("content-type")).hasValue("application/vnd.apple.mpegurl");
        assertThat(master.headers().firstValue("access-control-allow-origin")).hasValue("*");
        assertThat(master.body())
                .contains("RESOLUTION=640x360")
                .contains("avc1.")
                .contains("mp4a.40.2");

        HttpResponse<Void> head = http.send(
                HttpRequest.newBuilder(URI.create(playbackUrl))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("content-length").orElse(0))
                .isEqualTo(master.body().length());
        String mediaUri = master.body()
                .lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank())
                .findFirst()
                .orElseThrow();
        URI media = URI.create(playbackUrl).resolve(mediaUri);
        HttpResponse<String> mediaPlaylist =
                http.send(HttpRequest.newBuilder(media).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(mediaPlaylist.headers().firstValue("cache-control")).hasValue("max-age=1");
        String segmentUri = mediaPlaylist
                .body()
                .lines()
                .filter(l -> l.endsWith(".ts"))
                .findFirst()
                .orElseThrow();
        HttpResponse<byte[]> segment = http.send(
                HttpRequest.newBuilder(media.resolve(segmentUri)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(segment.headers().firstValue("content-type")).hasValue("video/mp2t");
        assertThat(segment.headers().firstValue("cache-control").orElse("")).contains("immutable");
        assertThat(segment.body()).hasSizeGreaterThan(188).startsWith((byte) 0x47);

        GetStreamSessionResponse session = await(Duration.ofSeconds(5), () -> {
            GetStreamSessionResponse s =
                    node.ivs().getStreamSession(b -> b.channelArn(arn).streamId(live.streamId()));
            assertThat(s.streamSession().ingestConfiguration()).isNotNull();
            assertThat(s.streamSession().ingestConfiguration().video().targetBitrate())
                    .isPositive();
            return s;
        });
        assertThat(session.streamSession().ingestConfiguration().video().videoWidth())
                .isEqualTo(640);
        assertThat(session.streamSession().ingestConfiguration().video().videoHeight())
                .isEqualTo(360);
        assertThat(session.streamSession().ingestConfiguration().video().targetFramerate())
                .isEqualTo(30);
        assertThat(session.streamSession().ingestConfiguration().audio().sampleRate())
                .isEqualTo(44100);
        assertThat(session.streamSession().ingestConfiguration().audio().channels())
                .isEqualTo(1);
        assertThat(node.ivs().getStream(b -> b.channelArn(arn)).stream().health())
                .isEqualTo(StreamHealth.HEALTHY);

        // One publisher per channel: a second one is refused while the first is live.
        FfmpegTool.Result second =
                publish(rtmpUrl(created.streamKey().value()), 2).get(20, TimeUnit.SECONDS);
        assertThat(second.exitCode()).isNotZero();
        assertThat(node.ivs().getStream(b -> b.channelArn(arn)).stream().streamId())
                .isEqualTo(live.streamId());

        long stopAt = System.nanoTime();
        node.ivs().stopStream(b -> b.channelArn(arn));
        FfmpegTool.Result ended = ffmpeg.get(5, TimeUnit.SECONDS);
        // Disconnected by the server long before its 15 s of input ran out.
        assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isLessThan(Duration.ofSeconds(3));
        assertThat(ended.exitCode()).isNotZero();

        await(Duration.ofSeconds(3), () -> {
            assertThatThrownBy(() -> node.ivs().getStream(b -> b.channelArn(arn)))
                    .isInstanceOf(ChannelNotBroadcastingException.class);
            return true;
        });
        List<StreamSessionSummary> sessions =
                node.ivs().listStreamSessions(b -> b.channelArn(arn)).streamSessions();
        assertThat(sessions).hasSize(1);
        assertThat(sessions.get(0).streamId()).isEqualTo(live.streamId());
        assertThat(sessions.get(0).endTime()).isNotNull();
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(playbackUrl)).build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(404);

        // A wrong key is refused before any media: no new session.
        String wrongKey = "sk_us-west-2_" + "x".repeat(36);
        FfmpegTool.Result refused = publish(rtmpUrl(wrongKey), 2).get(20, TimeUnit.SECONDS);
        assertThat(refused.exitCode()).isNotZero();
        assertThat(node.ivs().listStreamSessions(b -> b.channelArn(arn)).streamSessions())
                .hasSize(1);
    }

    @Test
    void rtmpsPublishGoesLive() throws Exception {
        CreateChannelResponse created = node.ivs().createChannel(b -> b.name("secure"));
        String arn = created.channel().arn();
        CompletableFuture<FfmpegTool.Result> ffmpeg = publish(
                "rtmps://127.0.0.1:" + node.server().server().rtmpsPort() + "/app/"
                        + created.streamKey().value(),
                15);
        Stream live = await(Duration.ofSeconds(8), () -> node.ivs().getStream(b -> b.channelArn(arn)).stream());
        assertThat(live.stateAsString()).isEqualTo("LIVE");
        node.ivs().stopStream(b -> b.channelArn(arn));
        assertThat(ffmpeg.get(5, TimeUnit.SECONDS).exitCode()).isNotZero();
    }

    @Test
    void plainRtmpRefusedWithoutInsecureIngest() throws Exception {
        CreateChannelResponse created = node.ivs().createChannel(b -> b.name("secure-only"));
        FfmpegTool.Result refused =
                publish(rtmpUrl(created.streamKey().value()), 2).get(20, TimeUnit.SECONDS);
        assertThat(refused.exitCode()).isNotZero();
        assertThat(node.ivs()
                        .listStreamSessions(b -> b.channelArn(created.channel().arn()))
                        .streamSessions())
                .isEmpty();
        assertThatThrownBy(() ->
                        node.ivs().getStream(b -> b.channelArn(created.channel().arn())))
                .isInstanceOf(ChannelNotBroadcastingException.class);
    }

    @Test
    void fragmentedMp4ChannelServesInitAndM4sSegments() throws Exception {
        CreateChannelResponse created = node.ivs()
                .createChannel(
                        b -> b.name("cmaf").insecureIngest(true).containerFormat(ContainerFormat.FRAGMENTED_MP4));
        String arn = created.channel().arn();
        String playbackUrl = created.channel().playbackUrl();
        CompletableFuture<FfmpegTool.Result> ffmpeg =
                publish(rtmpUrl(created.streamKey().value()), 15);

        FfmpegTool.Result probe = probeWhenPlayable(playbackUrl, Duration.ofSeconds(12));
        assertThat(probe.stdout()).contains("h264,640,360").contains("aac");

        URI media = URI.create(playbackUrl)
                .resolve(http.send(
                                HttpRequest.newBuilder(URI.create(playbackUrl)).build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body()
                        .lines()
                        .filter(l -> l.endsWith(".m3u8"))
                        .findFirst()
                        .orElseThrow());
        String playlist = http.send(HttpRequest.newBuilder(media).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(playlist).contains("#EXT-X-VERSION:7\n");
        java.util.regex.Matcher map = java.util.regex.Pattern.compile("#EXT-X-MAP:URI=\"(init-[0-9]+\\.mp4)\"")
                .matcher(playlist);
        assertThat(map.find()).as(playlist).isTrue();
        String initUri = map.group(1);
        String segmentUri =
                playlist.lines().filter(l -> l.endsWith(".m4s")).findFirst().orElseThrow();

        HttpResponse<byte[]> init = http.send(
                HttpRequest.newBuilder(media.resolve(initUri)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(init.headers().firstValue("content-type")).hasValue("video/mp4");
        assertThat(new String(init.body(), 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        HttpResponse<byte[]> segment = http.send(
                HttpRequest.newBuilder(media.resolve(segmentUri)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(segment.statusCode()).isEqualTo(200);
        // The segment's latency stamp for the IVS player (an emsg of its scheme), then the first fragment.
        byte[] body = segment.body();
        assertThat(new String(body, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("emsg");
        assertThat(new String(body, 12, 14, StandardCharsets.US_ASCII)).isEqualTo("urn:twitch:id3");
        int emsgSize = java.nio.ByteBuffer.wrap(body).getInt(0);
        assertThat(new String(body, emsgSize + 4, 4, StandardCharsets.US_ASCII)).isEqualTo("moof");
        String tsUri = segmentUri.replace(".m4s", ".ts");
        assertThat(http.send(
                                HttpRequest.newBuilder(media.resolve(tsUri)).build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(404);

        // A player joining live decodes cleanly across segment boundaries.
        FfmpegTool.Result play =
                FfmpegTool.ffmpeg("-nostdin", "-v", "error", "-i", playbackUrl, "-t", "3", "-f", "null", "-");
        assertThat(play.exitCode()).as(play.stderr()).isZero();
        assertThat(play.stderr()).isEmpty();

        node.ivs().stopStream(b -> b.channelArn(arn));
        assertThat(ffmpeg.get(5, TimeUnit.SECONDS).exitCode()).isNotZero();

        // Segments are cached as immutable: the channel's next session must not reuse their URLs. Init segment
        // names restart with the discontinuity sequence, so those must not be cacheable at all.
        assertThat(init.headers().firstValue("cache-control")).hasValue("no-cache");
        assertThat(segment.headers().firstValue("cache-control").orElseThrow()).contains("immutable");
        java.util.Set<String> firstSession = new java.util.HashSet<>(
                playlist.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList());
        CompletableFuture<FfmpegTool.Result> again =
                publish(rtmpUrl(created.streamKey().value()), 10);
        probeWhenPlayable(playbackUrl, Duration.ofSeconds(12));
        String next = http.send(HttpRequest.newBuilder(media).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        java.util.Set<String> nextSession = new java.util.HashSet<>(
                next.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList());
        assertThat(nextSession).as(next).isNotEmpty().doesNotContainAnyElementsOf(firstSession);
        node.ivs().stopStream(b -> b.channelArn(arn));
        again.get(10, TimeUnit.SECONDS);
    }
}
