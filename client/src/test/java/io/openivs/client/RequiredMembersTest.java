package io.openivs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.client.model.CreateRecordingConfigurationRequest;
import io.openivs.client.model.GetChannelRequest;
import io.openivs.client.testing.TestClients;
import io.openivs.client.testing.TestServer;
import io.openivs.client.testing.TestServer.Reply;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** A request missing a required member fails in the caller, and nothing reaches the wire. */
class RequiredMembersTest {

    @Test
    void aMissingTopLevelMemberFailsBeforeSending() throws Exception {
        try (TestServer server = TestServer.script(Reply.json(200, "{}"))) {
            IvsClient client = TestClients.client(server);

            assertThatThrownBy(
                            () -> client.getChannel(GetChannelRequest.builder().build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("GetChannelRequest is missing required member arn");
            assertThatThrownBy(() -> client.putMetadata(r -> r.channelArn("arn:aws:ivs:us-west-2:1:channel/x")))
                    .hasMessageContaining("metadata");
            assertThatThrownBy(() -> client.untagResource(r -> r.resourceArn("arn:aws:ivs:us-west-2:1:channel/x")))
                    .hasMessageContaining("tagKeys");
            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void nestedRequiredMembersAreCheckedToo() throws Exception {
        try (TestServer server = TestServer.script(Reply.json(200, "{}"))) {
            CreateRecordingConfigurationRequest request = CreateRecordingConfigurationRequest.builder()
                    .destinationConfiguration(d -> d.s3(s3 -> {}))
                    .build();
            assertThatThrownBy(() -> TestClients.client(server).createRecordingConfiguration(request))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("destinationConfiguration.s3.bucketName");
            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void anEmptyPathLabelCountsAsMissing() throws Exception {
        try (TestServer server = TestServer.script(Reply.json(200, "{}"))) {
            assertThatThrownBy(() -> TestClients.client(server)
                            .tagResource(r -> r.resourceArn("").tags(Map.of("a", "b"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("resourceArn");
            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void theAsyncClientFailsTheFutureWithoutSending() throws Exception {
        try (TestServer server = TestServer.script(Reply.json(200, "{}"))) {
            assertThatThrownBy(() -> TestClients.client(server)
                            .async()
                            .getChannel(r -> {})
                            .join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
            assertThat(server.requests()).isEmpty();
        }
    }
}
