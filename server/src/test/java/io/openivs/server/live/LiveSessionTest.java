package io.openivs.server.live;

import static io.openivs.server.live.LiveTesting.await;
import static io.openivs.server.live.LiveTesting.publish;
import static io.openivs.server.live.LiveTesting.rtmpUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.ServerFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.AudioConfiguration;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.StreamEvent;
import software.amazon.awssdk.services.ivs.model.StreamSession;
import software.amazon.awssdk.services.ivs.model.VideoConfiguration;

/**
 * What a viewer and an operator see of a live session: 10 s pulled through the playback URL
 * decode cleanly, GetStreamSession carries the encoder, ingestConfigurations and the session's
 * events, and a deleted stream key keeps a stopped channel off the air.
 */
class LiveSessionTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void tenSecondsFromThePlaybackUrlDecodeAndTheSessionDescribesTheEncoder() throws Exception {
        CreateChannelResponse created =
                node.ivs().createChannel(b -> b.name("watched").insecureIngest(true));
        String arn = created.channel().arn();
        String playbackUrl = created.channel().playbackUrl();
        CompletableFuture<FfmpegTool.Result> publisher = publish(
                node.background(),
                rtmpUrl(node.server(), created.streamKey().value()),
                LiveTesting.testSource("640x360", 30));

        // A player starting at the oldest segment once 10 s are listed reads 10 s of media from the live window.
        String media = await(Duration.ofSeconds(25), () -> {
            String m = URI.create(playbackUrl)
                    .resolve(get(playbackUrl)
                            .lines()
                            .filter(l -> !l.startsWith("#") && !l.isBlank())
                            .findFirst()
                            .orElseThrow())
                    .toString();
            assertThat(get(m).lines().filter(l -> l.startsWith("#EXTINF")).count())
                    .isGreaterThanOrEqualTo(5);
            return m;
        });
        FfmpegTool.Result decoded = FfmpegTool.ffmpeg(
                "-hide_banner",
                "-nostats",
                "-v",
                "error",
                "-live_start_index",
                "0",
                "-i",
                media,
                "-t",
                "10",
                "-f",
                "null",
                "-progress",
                "pipe:1",
                "-");
        assertThat(decoded.exitCode()).isZero();
        assertThat(decoded.stderr()).as("decoder errors").isBlank();
        Matcher last = Pattern.compile("out_time_us=(\\d+)").matcher(decoded.stdout());
        long decodedUs = -1;
        while (last.find()) {
            decodedUs = Long.parseLong(last.group(1));
        }
        assertThat(decodedUs).as("decoded duration, µs").isBetween(9_500_000L, 10_100_000L);

        String streamId = node.ivs().getStream(b -> b.channelArn(arn)).stream().streamId();
        StreamSession live = node.ivs()
                .getStreamSession(b -> b.channelArn(arn).streamId(streamId))
                .streamSession();
        assertThat(live.ingestConfigurations().videoConfigurations()).hasSize(1);
        VideoConfiguration video =
                live.ingestConfigurations().videoConfigurations().get(0);
        assertThat(video.encoder()).as("from onMetaData").startsWith("Lavf");
        assertThat(video.track()).isEqualTo("Track0");
        assertThat(video.profile()).isNotEmpty();
        assertThat(video.level()).isNotEmpty();
        assertThat(video.avcProfile()).isEmpty();
        assertThat(video.videoWidth()).isEqualTo(640);
        assertThat(video.videoHeight()).isEqualTo(360);
        assertThat(live.ingestConfiguration().video().encoder()).isEqualTo(video.encoder());
        assertThat(live.ingestConfiguration().video().avcProfile()).isEqualTo(video.profile());
        AudioConfiguration audio =
                live.ingestConfigurations().audioConfigurations().get(0);
        assertThat(audio.codec()).isEqualTo("mp4a.40.2");
        assertThat(audio.track()).isEqualTo("Track0");
        assertThat(live.truncatedEvents())
                .extracting(StreamEvent::name)
                .containsExactly("Stream Start", "Session Created");
        assertThat(live.truncatedEvents()).extracting(StreamEvent::type).containsOnly("IVS Stream State Change");
        assertThat(live.truncatedEvents().get(0).eventTime()).isNotNull();

        node.ivs().stopStream(b -> b.channelArn(arn));
        publisher.get(10, TimeUnit.SECONDS);
        StreamSession ended = await(Duration.ofSeconds(5), () -> {
            StreamSession s = node.ivs()
                    .getStreamSession(b -> b.channelArn(arn).streamId(streamId))
                    .streamSession();
            assertThat(s.endTime()).isNotNull();
            return s;
        });
        assertThat(ended.truncatedEvents())
                .extracting(StreamEvent::name)
                .containsExactly("Stream End", "Session Ended", "Stream Start", "Session Created");
    }

    @Test
    void deletingTheKeyThenStoppingKeepsTheChannelOffAir() throws Exception {
        CreateChannelResponse created =
                node.ivs().createChannel(b -> b.name("revoked").insecureIngest(true));
        String arn = created.channel().arn();
        String oldKey = created.streamKey().value();
        CompletableFuture<FfmpegTool.Result> publisher =
                publish(node.background(), rtmpUrl(node.server(), oldKey), LiveTesting.testSource("320x240", 30));
        await(
                Duration.ofSeconds(15),
                () -> node.ivs().getStream(b -> b.channelArn(arn)).stream().streamId());

        node.ivs().deleteStreamKey(b -> b.arn(created.streamKey().arn()));
        node.ivs().stopStream(b -> b.channelArn(arn));
        assertThat(publisher.get(10, TimeUnit.SECONDS).exitCode()).isNotZero();
        await(Duration.ofSeconds(5), () -> {
            assertThatThrownBy(() -> node.ivs().getStream(b -> b.channelArn(arn)))
                    .isInstanceOf(ChannelNotBroadcastingException.class);
            return true;
        });

        // The encoder reconnects with the key it has: refused, and no session is opened for it.
        FfmpegTool.Result again = publish(
                        node.background(), rtmpUrl(node.server(), oldKey), LiveTesting.testSource("320x240", 3))
                .get(20, TimeUnit.SECONDS);
        assertThat(again.exitCode()).isNotZero();
        assertThat(node.ivs().listStreamSessions(b -> b.channelArn(arn)).streamSessions())
                .hasSize(1);
        assertThatThrownBy(() -> node.ivs().getStream(b -> b.channelArn(arn)))
                .isInstanceOf(ChannelNotBroadcastingException.class);
    }

    private static String get(String url) {
        try {
            HttpResponse<String> r =
                    http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
