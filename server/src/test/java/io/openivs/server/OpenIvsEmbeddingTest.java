package io.openivs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.config.ServerConfig;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ServiceQuotaExceededException;

/** {@link OpenIvs}: a node inside the caller's JVM, reached with the AWS SDK, gone without a trace on close. */
class OpenIvsEmbeddingTest {
    @Test
    void anEmbeddedNodeAnswersTheSdkWithItsOwnKeyAndLeavesNothingBehind() throws Exception {
        Path data;
        int api;
        try (OpenIvs ivs = OpenIvs.start(OpenIvs.Options.defaults()
                        .region("eu-west-1")
                        .accountId("222233334444")
                        .quotas(ServerConfig.Quotas.defaults().with(Map.of("channels", 1))));
                IvsClient client = IvsClient.builder()
                        .endpointOverride(ivs.endpoint())
                        .region(Region.of(ivs.region()))
                        .credentialsProvider(StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(ivs.accessKeyId(), ivs.secretAccessKey())))
                        .httpClient(UrlConnectionHttpClient.create())
                        .build()) {
            data = ivs.dataDir();
            api = ivs.apiPort();
            assertThat(ivs.accessKeyId()).matches("AKIA[A-Z2-7]{16}");
            var created = client.createChannel(b -> b.name("embedded"));
            assertThat(created.channel().arn()).startsWith("arn:aws:ivs:eu-west-1:222233334444:channel/");
            assertThat(ivs.rtmpUrl(created.streamKey().value()))
                    .isEqualTo("rtmp://127.0.0.1:" + ivs.server().rtmpPort() + "/app/"
                            + created.streamKey().value());
            assertThat(created.channel().ingestEndpoint()).isEqualTo("127.0.0.1");
            assertThatThrownBy(() -> client.createChannel(b -> b.name("second")))
                    .isInstanceOf(ServiceQuotaExceededException.class);
            assertThat(data.resolve("events.jsonl")).exists();
        }
        assertThat(Files.exists(data)).as("temporary data dir removed").isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", api).close()).isInstanceOf(ConnectException.class);
    }
}
