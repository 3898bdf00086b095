package io.openivs.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.openivs.client.model.ChannelLatencyMode;
import io.openivs.client.model.ChannelType;
import io.openivs.client.model.CreateChannelResponse;
import io.openivs.client.model.ListTagsForResourceResponse;
import io.openivs.client.testing.TestClients;
import io.openivs.client.testing.TestServer;
import io.openivs.client.testing.TestServer.Reply;
import java.net.URI;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** What reaches the server: methods, paths, query strings, bodies, and signatures a server can check. */
class WireTest {

    private static final String ARN = "arn:aws:ivs:us-west-2:123456789012:channel/AbCd";
    private static final String ARN_PATH = "/tags/arn%3Aaws%3Aivs%3Aus-west-2%3A123456789012%3Achannel%2FAbCd";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void untagResourcePutsTheEncodedArnInThePathAndRepeatsTagKeys() throws Exception {
        try (TestServer server = TestServer.script(Reply.json(200, "{}"))) {
            TestClients.client(server).untagResource(r -> r.resourceArn(ARN).tagKeys("team", "cost center"));

            TestServer.Request seen = server.requests().get(0);
            assertThat(seen.method()).isEqualTo("DELETE");
            assertThat(seen.rawPath()).isEqualTo(ARN_PATH);
            assertThat(seen.rawQuery()).isEqualTo("tagKeys=team&tagKeys=cost%20center");
            assertThat(seen.body()).isEmpty();
            assertThat(seen.header("content-type")).isNull();
            assertSignatureVerifies(server, seen);
        }
    }

    @Test
    void listTagsIsAGetWithoutBody() throws Exception {
        try (TestServer server = TestServer.script(Reply.json(200, "{\"tags\":{\"team\":\"video\"}}"))) {
            ListTagsForResourceResponse tags = TestClients.client(server).listTagsForResource(r -> r.resourceArn(ARN));

            assertThat(tags.tags()).containsExactly(Map.entry("team", "video"));
            TestServer.Request seen = server.requests().get(0);
            assertThat(seen.method()).isEqualTo("GET");
            assertThat(seen.rawPath()).isEqualTo(ARN_PATH);
            assertThat(seen.rawQuery()).isNull();
            assertSignatureVerifies(server, seen);
        }
    }

    @Test
    void tagResourceSendsTagsAsJsonAndTheArnInThePath() throws Exception {
        try (TestServer server = TestServer.script(Reply.json(200, "{}"))) {
            TestClients.client(server).tagResource(r -> r.resourceArn(ARN).tags(Map.of("team", "vidéo")));

            TestServer.Request seen = server.requests().get(0);
            assertThat(seen.method()).isEqualTo("POST");
            assertThat(seen.rawPath()).isEqualTo(ARN_PATH);
            assertThat(JSON.readTree(seen.body())).isEqualTo(JSON.readTree("{\"tags\":{\"team\":\"vidéo\"}}"));
            assertSignatureVerifies(server, seen);
        }
    }

    @Test
    void createChannelSendsOnlyWhatWasSetAndReadsTheTypedResponse() throws Exception {
        String response = "{\"channel\":{\"arn\":\"" + ARN + "\",\"name\":\"show\",\"latencyMode\":\"LOW\","
                + "\"type\":\"STANDARD\",\"ingestEndpoint\":\"a1b2c3d4e5f6.global-contribute.live-video.net\","
                + "\"playbackUrl\":\"https://a1b2c3d4e5f6.us-west-2.playback.live-video.net/api/video/v1/x.m3u8\","
                + "\"authorized\":false,\"tags\":{}},"
                + "\"streamKey\":{\"arn\":\"arn:aws:ivs:us-west-2:123456789012:stream-key/Qw3rTy7UiOp1\","
                + "\"value\":\"sk_us-west-2_Qw3rTy7UiOp1_secretsecretsecretsecret123456\",\"channelArn\":\"" + ARN
                + "\"}}";
        try (TestServer server = TestServer.script(Reply.json(200, response))) {
            CreateChannelResponse created = TestClients.client(server)
                    .createChannel(r ->
                            r.name("show").latencyMode(ChannelLatencyMode.LOW).type(ChannelType.STANDARD));

            TestServer.Request seen = server.requests().get(0);
            assertThat(seen.rawPath()).isEqualTo("/CreateChannel");
            assertThat(seen.header("content-type")).isEqualTo("application/json");
            assertThat(JSON.readTree(seen.body()))
                    .isEqualTo(JSON.readTree("{\"name\":\"show\",\"latencyMode\":\"LOW\",\"type\":\"STANDARD\"}"));
            assertSignatureVerifies(server, seen);

            assertThat(created.channel().latencyMode()).isEqualTo(ChannelLatencyMode.LOW);
            assertThat(created.channel().ingestEndpoint()).isEqualTo("a1b2c3d4e5f6.global-contribute.live-video.net");
            assertThat(created.channel().authorized()).isFalse();
            assertThat(created.channel().tags()).isEmpty();
            assertThat(created.channel().srt()).isNull();
            assertThat(created.streamKey().value()).startsWith("sk_us-west-2_");
            assertThat(created.toString()).doesNotContain("secretsecret");
        }
    }

    @Test
    void anEmptyRequestStillSendsAJsonObject() throws Exception {
        try (TestServer server = TestServer.script(Reply.json(200, "{\"channels\":[]}"))) {
            assertThat(TestClients.client(server).listChannels().channels()).isEmpty();
            assertThat(server.requests().get(0).bodyText()).isEqualTo("{}");
        }
    }

    @Test
    void operationsWithoutOutputReturnNothingOn204() throws Exception {
        try (TestServer server = TestServer.script(new Reply(204, Map.of(), null))) {
            TestClients.client(server).deleteChannel(r -> r.arn(ARN));
            assertThat(server.requests().get(0).bodyText()).isEqualTo("{\"arn\":\"" + ARN + "\"}");
        }
    }

    @Test
    void anEndpointWithABasePathKeepsIt() throws Exception {
        try (TestServer server = TestServer.script(Reply.json(200, "{\"channels\":[]}"))) {
            TestClients.builder(server).endpoint(server.uri() + "/ivs/").build().listChannels();
            assertThat(server.requests().get(0).rawPath()).isEqualTo("/ivs/ListChannels");
        }
    }

    /** Recomputes the signature as a server would, with the AWS SDK's signer, from what was received. */
    private static void assertSignatureVerifies(TestServer server, TestServer.Request seen) {
        String authorization = seen.header("authorization");
        String signedHeaders = authorization.replaceAll(".*SignedHeaders=([^,]+),.*", "$1");
        List<String> names = Arrays.asList(signedHeaders.split(";"));
        assertThat(names).contains("host", "x-amz-date", "x-amz-content-sha256");

        SdkHttpRequest.Builder request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(seen.method()))
                .uri(URI.create(
                        server.uri() + seen.rawPath() + (seen.rawQuery() == null ? "" : "?" + seen.rawQuery())));
        for (String name : names) {
            if (!name.equals("x-amz-date") && !name.equals("x-amz-content-sha256")) {
                request.putHeader(name, seen.headers().get(name));
            }
        }
        String expected = AwsV4HttpSigner.create()
                .sign(r -> r.identity(AwsCredentialsIdentity.create(TestClients.ACCESS_KEY, TestClients.SECRET_KEY))
                        .request(request.build())
                        .payload(ContentStreamProvider.fromByteArray(seen.body()))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ivs")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-west-2")
                        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(TestClients.TIME, ZoneOffset.UTC)))
                .request()
                .firstMatchingHeader("Authorization")
                .orElseThrow();
        assertThat(authorization).isEqualTo(expected);
    }
}
