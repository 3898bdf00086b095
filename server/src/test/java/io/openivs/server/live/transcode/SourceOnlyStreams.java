package io.openivs.server.live.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.StreamSession;

/**
 * What a user sees of a STANDARD stream that a node does not transcode (transcoding off, or over the cap):
 * the source alone in the master, one Stream Failure in the session saying why, no ffmpeg child.
 */
final class SourceOnlyStreams {
    private static final HttpClient http = HttpClient.newHttpClient();

    private SourceOnlyStreams() {}

    /** Publishes 6 s to a new STANDARD channel on {@code node} and checks all of the above. */
    static void publishAndCheck(ServerFixture node, String name) throws Exception {
        CreateChannelResponse created = node.ivs()
                .createChannel(
                        b -> b.name(name).type("STANDARD").latencyMode("NORMAL").insecureIngest(true));
        String arn = created.channel().arn();
        String rtmp = node.rtmpUrl(created);
        // Told to finish once all is checked (at most 6 s); its exit code is checked as before.
        Publishing.Stoppable publisher = Publishing.startStoppable(rtmp, 6);

        String master = Publishing.await(Duration.ofSeconds(15), () -> {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(created.channel().playbackUrl()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                return r.body();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // The source alone, unnamed as before transcoding existed; no rung.
        assertThat(master)
                .contains("RESOLUTION=640x360")
                .doesNotContain("chunked")
                .doesNotContain("p30");
        String streamId = node.ivs().getStream(b -> b.channelArn(arn)).stream().streamId();
        // The session document follows at the next heartbeat.
        Publishing.await(Duration.ofSeconds(8), () -> {
            StreamSession session = node.ivs()
                    .getStreamSession(b -> b.channelArn(arn).streamId(streamId))
                    .streamSession();
            assertThat(session.truncatedEvents())
                    .filteredOn(e -> "Stream Failure".equals(e.name()))
                    .hasSize(1);
            return true;
        });
        assertThat(TranscodeTesting.children().size()).as("transcoder children").isZero();
        FfmpegTool.Result published = publisher.stop();
        assertThat(published.exitCode()).as(published.stderr()).isZero();
    }
}
