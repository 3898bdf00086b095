package io.openivs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.client.model.ChannelLatencyMode;
import io.openivs.client.model.ChannelSummary;
import io.openivs.client.model.CreateChannelResponse;
import io.openivs.client.testing.TestClients;
import io.openivs.client.testing.TestServer;
import io.openivs.client.testing.TestServer.Reply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The example of client/README.md, line for line after the builder, so it keeps compiling and working. */
class ReadmeExampleTest {

    private static void example(IvsClient ivs, PrintStream out) {
        CreateChannelResponse created = ivs.createChannel(r -> r.name("demo").latencyMode(ChannelLatencyMode.LOW));
        out.println("Ingest:     rtmps://" + created.channel().ingestEndpoint() + ":443/app/");
        out.println("Stream key: " + created.streamKey().value());
        for (ChannelSummary channel : ivs.listAllChannels()) {
            out.println(channel.arn() + "  " + channel.name());
        }
    }

    @Test
    void theReadmeExampleRuns() throws Exception {
        String arn = "arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456";
        try (TestServer server = TestServer.start(r -> r.rawPath().equals("/CreateChannel")
                ? Reply.json(
                        200,
                        "{\"channel\":{\"arn\":\"" + arn + "\",\"name\":\"demo\","
                                + "\"ingestEndpoint\":\"3f0e9a7c21bd.global-contribute.live-video.net\"},"
                                + "\"streamKey\":{\"value\":\"sk_us-west-2_Qw3rTy7UiOp1_abc\"}}")
                : Reply.json(200, "{\"channels\":[{\"arn\":\"" + arn + "\",\"name\":\"demo\"}]}"))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            example(TestClients.client(server), new PrintStream(bytes, true, StandardCharsets.UTF_8));

            assertThat(bytes.toString(StandardCharsets.UTF_8))
                    .containsSubsequence(
                            "Ingest:     rtmps://3f0e9a7c21bd.global-contribute.live-video.net:443/app/",
                            "Stream key: sk_us-west-2_Qw3rTy7UiOp1_abc",
                            arn + "  demo");
        }
    }
}
