package io.openivs.server.live.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.openivs.server.OpenIvsServer;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.StreamSession;

/**
 * A node started with transcoding off ({@code --transcode off}): it warns at start, and a STANDARD
 * stream plays its source alone while its session says why in a Stream Failure event.
 */
class TranscodeOffTest {
    /** Attached before the node starts (fields initialise in order), so its start-up warning is seen. */
    static final ListAppender<ILoggingEvent> startLog = listen();

    @RegisterExtension
    static final ServerFixture node = new ServerFixture(
            dir -> new TestServer(dir, TestDatabases.sqlite(dir), new ServerConfig.Transcoding(false, 2)));

    static final HttpClient http = HttpClient.newHttpClient();

    private static ListAppender<ILoggingEvent> listen() {
        ListAppender<ILoggingEvent> a = new ListAppender<>();
        a.start();
        ((Logger) LoggerFactory.getLogger(OpenIvsServer.class)).addAppender(a);
        return a;
    }

    @AfterAll
    static void detach() {
        ((Logger) LoggerFactory.getLogger(OpenIvsServer.class)).detachAppender(startLog);
    }

    @Test
    void transcodingOffWarnsAtStartAndInTheSessionAndPlaysTheSource() throws Exception {
        assertThat(startLog.list)
                .map(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).startsWith("transcoding is off"));

        CreateChannelResponse created = node.ivs()
                .createChannel(b ->
                        b.name("off").type("STANDARD").latencyMode("NORMAL").insecureIngest(true));
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
        assertThat(master)
                .contains("RESOLUTION=640x360")
                .doesNotContain("chunked")
                .doesNotContain("p30");
        String streamId = node.ivs().getStream(b -> b.channelArn(arn)).stream().streamId();
        Publishing.await(Duration.ofSeconds(8), () -> {
            StreamSession session = node.ivs()
                    .getStreamSession(b -> b.channelArn(arn).streamId(streamId))
                    .streamSession();
            assertThat(session.truncatedEvents())
                    .filteredOn(e -> "Stream Failure".equals(e.name()))
                    .hasSize(1);
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
