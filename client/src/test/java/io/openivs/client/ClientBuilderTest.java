package io.openivs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.client.config.AwsEnvironment;
import io.openivs.client.testing.TestServer;
import io.openivs.client.testing.TestServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client configured only by the environment and the shared files, as in a shell with the AWS CLI set up. */
class ClientBuilderTest {

    @TempDir
    Path home;

    @Test
    void regionEndpointAndCredentialsFromTheEnvironment() throws Exception {
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(
                home.resolve(".aws/credentials"),
                "[local]\naws_access_key_id = AKIDLOCAL\naws_secret_access_key = localsecret\n");
        Files.writeString(home.resolve(".aws/config"), "[profile local]\nregion = eu-central-1\n");
        try (TestServer server = TestServer.script(Reply.json(200, "{\"channels\":[]}"))) {
            AwsEnvironment env = new AwsEnvironment(
                    Map.of(
                            "AWS_PROFILE",
                            "local",
                            "AWS_ENDPOINT_URL_IVS",
                            server.uri().toString()),
                    home);

            IvsClient.builder().environment(env).build().listChannels();

            assertThat(server.requests().get(0).header("authorization"))
                    .startsWith("AWS4-HMAC-SHA256 Credential=AKIDLOCAL/")
                    .contains("/eu-central-1/ivs/aws4_request");
        }
    }

    @Test
    void anExplicitProfileWinsOverAwsProfile() throws Exception {
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(
                home.resolve(".aws/credentials"),
                "[a]\naws_access_key_id = AKIDA\naws_secret_access_key = s\n"
                        + "[b]\naws_access_key_id = AKIDB\naws_secret_access_key = s\n");
        try (TestServer server = TestServer.script(Reply.json(200, "{\"channels\":[]}"))) {
            AwsEnvironment env = new AwsEnvironment(Map.of("AWS_PROFILE", "a"), home);
            IvsClient.builder()
                    .environment(env)
                    .profile("b")
                    .region("us-west-2")
                    .endpoint(server.uri())
                    .build()
                    .listChannels();
            assertThat(server.requests().get(0).header("authorization")).contains("Credential=AKIDB/");
        }
    }

    @Test
    void noRegionAnywhereIsReportedAtBuildTime() {
        AwsEnvironment empty = new AwsEnvironment(Map.of(), home);
        assertThatThrownBy(() -> IvsClient.builder().environment(empty).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AWS_REGION");
        assertThatThrownBy(() -> IvsClient.builder().region("us-west-2/../evil"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
