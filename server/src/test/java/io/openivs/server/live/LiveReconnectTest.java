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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * An encoder that drops and reconnects continues the same playlist at the playback URL: the
 * earlier segments stay listed, numbering runs on, and an EXT-X-DISCONTINUITY marks the join.
 */
class LiveReconnectTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aReconnectContinuesThePlaylistWithADiscontinuity() throws Exception {
        CreateChannelResponse created =
                node.ivs().createChannel(b -> b.name("flaky").insecureIngest(true));
        URI master = URI.create(created.channel().playbackUrl());
        var second = publishTwice(created, 7);
        URI media = await(
                Duration.ofSeconds(20),
                () -> master.resolve(get(master)
                        .lines()
                        .filter(l -> !l.startsWith("#") && !l.isBlank())
                        .findFirst()
                        .orElseThrow()));
        String playlist = await(Duration.ofSeconds(20), () -> {
            String p = get(media);
            int join = p.indexOf("#EXT-X-DISCONTINUITY\n");
            assertThat(join).isPositive();
            assertThat(p.substring(join).split("\\.ts\n"))
                    .as("two segments after the join")
                    .hasSizeGreaterThan(2);
            return p;
        });

        List<Long> sequences = new ArrayList<>();
        int discontinuityBefore = -1;
        for (String line : playlist.split("\n")) {
            if (line.equals("#EXT-X-DISCONTINUITY")) {
                assertThat(discontinuityBefore).as("one join").isEqualTo(-1);
                discontinuityBefore = sequences.size();
            } else if (!line.startsWith("#") && line.endsWith(".ts")) { // URI lines; a tag may name one too
                sequences.add(Long.parseLong(line.substring(0, line.length() - 3)));
            }
        }
        assertThat(discontinuityBefore)
                .as("segments of the first session stay listed before the join")
                .isPositive();
        for (int i = 1; i < sequences.size(); i++) {
            assertThat(sequences.get(i)).isEqualTo(sequences.get(i - 1) + 1);
        }
        assertThat(playlist).contains("#EXT-X-MEDIA-SEQUENCE:" + sequences.get(0) + "\n");

        // A player reads across the join without errors.
        FfmpegTool.Result decoded = FfmpegTool.ffmpeg(
                "-hide_banner",
                "-nostats",
                "-v",
                "error",
                "-live_start_index",
                "0",
                "-i",
                media.toString(),
                "-t",
                "6",
                "-f",
                "null",
                "-");
        assertThat(decoded.exitCode()).isZero();
        assertThat(decoded.stderr()).isBlank();
        second.get(30, TimeUnit.SECONDS);
    }

    /** Publishes for {@code seconds}, waits until the channel is offline, and publishes again (10 s) in the background. */
    private static CompletableFuture<FfmpegTool.Result> publishTwice(CreateChannelResponse created, int seconds)
            throws Exception {
        String arn = created.channel().arn();
        String url = rtmpUrl(node.server(), created.streamKey().value());
        FfmpegTool.Result first = publish(node.background(), url, LiveTesting.testSource("320x240", seconds))
                .get(30, TimeUnit.SECONDS);
        assertThat(first.exitCode()).isZero();
        await(Duration.ofSeconds(5), () -> {
            assertThatThrownBy(() -> node.ivs().getStream(b -> b.channelArn(arn)))
                    .isInstanceOf(ChannelNotBroadcastingException.class);
            return true;
        });
        return publish(node.background(), url, LiveTesting.testSource("320x240", 10));
    }

    /**
     * An LL-HLS channel's audio_only rendition is continued with the main one: both list the first
     * session's segments, join at the same segment and number alike.
     */
    @Test
    void anLowLatencyReconnectContinuesBothRenditionsAlike() throws Exception {
        CreateChannelResponse created = node.ivs()
                .createChannel(b -> b.name("flaky-ll")
                        .insecureIngest(true)
                        .latencyMode(ChannelLatencyMode.LOW)
                        .containerFormat(ContainerFormat.FRAGMENTED_MP4));
        URI master = URI.create(created.channel().playbackUrl());
        var second = publishTwice(created, 5);
        List<URI> renditions = await(Duration.ofSeconds(20), () -> {
            List<URI> uris = get(master)
                    .lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(master::resolve)
                    .toList();
            assertThat(uris).hasSize(2);
            return uris;
        });
        List<List<String>> both = await(Duration.ofSeconds(20), () -> {
            List<String> main = segmentsAndJoins(get(renditions.get(0)));
            List<String> audio = segmentsAndJoins(get(renditions.get(1)));
            assertThat(main).contains("join");
            assertThat(main.subList(main.indexOf("join"), main.size()))
                    .as("two segments after the join")
                    .hasSizeGreaterThan(2);
            assertThat(audio).as("the audio_only playlist, read just after").isEqualTo(main);
            return List.of(main, audio);
        });
        assertThat(both.get(0).indexOf("join"))
                .as("segments of the first session stay listed before the join")
                .isPositive();
        second.get(30, TimeUnit.SECONDS);
    }

    /** The segment URIs of a media playlist, with "join" where it has a discontinuity. */
    private static List<String> segmentsAndJoins(String playlist) {
        return playlist.lines()
                .filter(l -> l.equals("#EXT-X-DISCONTINUITY") || !l.startsWith("#") && !l.isBlank())
                .map(l -> l.startsWith("#") ? "join" : l)
                .toList();
    }

    private static String get(URI url) {
        try {
            HttpResponse<String> r =
                    http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
