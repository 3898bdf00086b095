package io.openivs.server.live;

import static io.openivs.server.live.LiveTesting.await;
import static io.openivs.server.live.LiveTesting.publish;
import static io.openivs.server.live.LiveTesting.rtmpUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.ServerFixture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.ChannelType;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.StreamSession;

/**
 * A publisher over its channel type's ingest limits is disconnected with an "IVS Limit Breach"
 * event, and the session records the error; the server goes on serving.
 */
class LiveLimitsTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    @Test
    void aResolutionAbove1080pIsRefusedWithALimitBreach() throws Exception {
        CreateChannelResponse created =
                node.ivs().createChannel(b -> b.name("too-big").insecureIngest(true));
        String arn = created.channel().arn();
        long started = System.nanoTime();
        FfmpegTool.Result result = publish(
                        node.background(),
                        rtmpUrl(node.server(), created.streamKey().value()),
                        LiveTesting.testSource("2560x1440", 20))
                .get(30, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as("ffmpeg was disconnected").isNotZero();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));

        JsonNode breach = await(Duration.ofSeconds(5), () -> breachOf(arn));
        assertThat(breach.path("detail-type").asText()).isEqualTo("IVS Limit Breach");
        JsonNode d = breach.path("detail");
        assertThat(d.path("limit_name").asText()).isEqualTo("Ingest Resolution");
        assertThat(d.path("limit_unit").asText()).isEqualTo("total pixels");
        assertThat(d.path("limit_value").asLong()).isEqualTo(1920L * 1080);
        assertThat(d.path("exceeded_by").asLong()).isEqualTo(2560L * 1440 - 1920L * 1080);
        assertThat(d.path("channel_name").asText()).isEqualTo("too-big");
        String streamId = d.path("stream_id").asText();
        assertThat(streamId).startsWith("st-");

        StreamSession session = await(Duration.ofSeconds(5), () -> {
            StreamSession s = node.ivs()
                    .getStreamSession(b -> b.channelArn(arn).streamId(streamId))
                    .streamSession();
            assertThat(s.endTime()).isNotNull();
            return s;
        });
        assertThat(session.truncatedEvents())
                .extracting(e -> e.name())
                .contains("Ingest Resolution", "Session Ended")
                .doesNotContain("Stream Start");
        assertThat(node.ivs()
                        .listStreamSessions(b -> b.channelArn(arn))
                        .streamSessions()
                        .get(0)
                        .hasErrorEvent())
                .isTrue();
        // Refused before any media went out: no Stream Start for this stream.
        assertThat(LiveTesting.events(node.dir()))
                .filteredOn(
                        e -> streamId.equals(e.path("detail").path("stream_id").asText()))
                .extracting(e -> e.path("detail").path("event_name").asText(""))
                .doesNotContain("Stream Start");
    }

    @Test
    void aBasicChannelAbove1point5MbpsAt240pIsDisconnectedWithALimitBreach() throws Exception {
        CreateChannelResponse created = node.ivs()
                .createChannel(b -> b.name("too-fast").type(ChannelType.BASIC).insecureIngest(true));
        String arn = created.channel().arn();
        // Temporal noise at a fixed quantiser: several Mbit/s from a 320x240 picture, cheap to encode.
        FfmpegTool.Result result = publish(
                        node.background(),
                        rtmpUrl(node.server(), created.streamKey().value()),
                        "-f",
                        "lavfi",
                        "-i",
                        "testsrc2=size=320x240:rate=30,noise=alls=60:allf=t",
                        "-f",
                        "lavfi",
                        "-i",
                        "sine",
                        "-t",
                        "30",
                        "-c:v",
                        "libx264",
                        "-preset",
                        "ultrafast",
                        "-qp",
                        "8",
                        "-g",
                        "30",
                        "-c:a",
                        "aac")
                .get(45, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as("ffmpeg was disconnected").isNotZero();

        JsonNode breach = await(Duration.ofSeconds(5), () -> breachOf(arn));
        JsonNode d = breach.path("detail");
        assertThat(d.path("limit_name").asText()).isEqualTo("Ingest Bitrate");
        assertThat(d.path("limit_unit").asText()).isEqualTo("bits per second");
        assertThat(d.path("limit_value").asLong()).isEqualTo(1_500_000);
        assertThat(d.path("exceeded_by").asLong()).isPositive();
        String streamId = d.path("stream_id").asText();
        await(Duration.ofSeconds(5), () -> {
            assertThat(node.ivs()
                            .getStreamSession(b -> b.channelArn(arn).streamId(streamId))
                            .streamSession()
                            .endTime())
                    .isNotNull();
            return true;
        });
        assertThat(node.ivs()
                        .listStreamSessions(b -> b.channelArn(arn))
                        .streamSessions()
                        .get(0)
                        .hasErrorEvent())
                .isTrue();
    }

    private static JsonNode breachOf(String channelArn) {
        try {
            List<JsonNode> events = LiveTesting.events(node.dir());
            return events.stream()
                    .filter(e -> "IVS Limit Breach".equals(e.path("detail-type").asText()))
                    .filter(e -> channelArn.equals(e.path("resources").path(0).asText()))
                    .findFirst()
                    .orElse(null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
