package io.openivs.server.live.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.config.ServerConfig;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.StreamEvent;
import software.amazon.awssdk.services.ivs.model.StreamSession;

/**
 * A node whose transcoding slots are all taken (a cap of 0 here, so no ffmpeg child runs): a
 * STANDARD stream plays its source alone and its session says why in a Stream Failure event.
 */
class TranscodeCapTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture(
            dir -> new TestServer(dir, TestDatabases.sqlite(dir), new ServerConfig.Transcoding(true, 0)));

    static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void overTheCapAStandardStreamPlaysItsSourceOnlyAndSaysSo() throws Exception {
        CreateChannelResponse created = node.ivs()
                .createChannel(b ->
                        b.name("capped").type("STANDARD").latencyMode("NORMAL").insecureIngest(true));
        String arn = created.channel().arn();
        String rtmp = "rtmp://127.0.0.1:" + node.server().server().rtmpPort() + "/app/"
                + created.streamKey().value();
        CompletableFuture<FfmpegTool.Result> publisher = Publishing.publish(rtmp, 6);

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
        Publishing.await(Duration.ofSeconds(6), () -> {
            StreamSession session = node.ivs()
                    .getStreamSession(b -> b.channelArn(arn).streamId(streamId))
                    .streamSession();
            assertThat(session.truncatedEvents())
                    .filteredOn(e -> "Stream Failure".equals(e.name()))
                    .singleElement()
                    .extracting(StreamEvent::name)
                    .isEqualTo("Stream Failure");
            return true;
        });
        assertThat(ProcessHandle.current()
                        .descendants()
                        .filter(p -> p.info()
                                .arguments()
                                .map(a -> String.join(" ", a).contains("openivs-tc"))
                                .orElse(false))
                        .count())
                .isZero();
        assertThat(publisher.get().exitCode()).isZero();
    }
}
