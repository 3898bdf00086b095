package io.openivs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.client.model.GetChannelResponse;
import io.openivs.client.model.ServiceUnavailableException;
import io.openivs.client.model.ThrottlingException;
import io.openivs.client.model.ValidationException;
import io.openivs.client.testing.TestClients;
import io.openivs.client.testing.TestServer;
import io.openivs.client.testing.TestServer.Reply;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryTest {

    private static final String ARN = "arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456";
    private static final Reply OK = Reply.json(200, "{\"channel\":{\"arn\":\"" + ARN + "\",\"name\":\"c\"}}");
    private static final Reply UNAVAILABLE = Reply.error(503, "ServiceUnavailable", "try later");

    @Test
    void a503IsRetriedUntilTheAnswerComes() throws Exception {
        try (TestServer server = TestServer.script(UNAVAILABLE, UNAVAILABLE, OK)) {
            GetChannelResponse response = TestClients.client(server).getChannel(r -> r.arn(ARN));

            assertThat(response.channel().name()).isEqualTo("c");
            assertThat(server.requests()).hasSize(3);
            // Every attempt is signed anew, and all carry the same request.
            assertThat(server.requests()).allSatisfy(r -> {
                assertThat(r.header("authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/");
                assertThat(r.bodyText()).isEqualTo("{\"arn\":\"" + ARN + "\"}");
            });
        }
    }

    @Test
    void aClientErrorIsNeverRetried() throws Exception {
        try (TestServer server = TestServer.script(Reply.error(400, "ValidationException", "bad arn"), OK)) {
            assertThatThrownBy(() -> TestClients.client(server).getChannel(r -> r.arn(ARN)))
                    .isInstanceOf(ValidationException.class);
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void retriesAreBounded() throws Exception {
        try (TestServer server = TestServer.script(UNAVAILABLE)) {
            assertThatThrownBy(() ->
                            TestClients.builder(server).maxAttempts(4).build().getChannel(r -> r.arn(ARN)))
                    .isInstanceOf(ServiceUnavailableException.class);
            assertThat(server.requests()).hasSize(4);
        }
    }

    @Test
    void throttlingIsRetriedWhateverItsStatus() throws Exception {
        try (TestServer server = TestServer.script(
                Reply.error(429, "ThrottlingException", "slow down"),
                Reply.error(400, "ThrottlingException", "slow down"),
                OK)) {
            TestClients.client(server).getChannel(r -> r.arn(ARN));
            assertThat(server.requests()).hasSize(3);
        }
        try (TestServer server = TestServer.script(Reply.error(429, "ThrottlingException", "slow down"))) {
            assertThatThrownBy(() -> TestClients.client(server).getChannel(r -> r.arn(ARN)))
                    .isInstanceOf(ThrottlingException.class);
            assertThat(server.requests()).hasSize(3);
        }
    }

    @Test
    void asyncCallsRetryToo() throws Exception {
        try (TestServer server = TestServer.script(UNAVAILABLE, UNAVAILABLE, OK)) {
            GetChannelResponse response = TestClients.builder(server)
                    .buildAsync()
                    .getChannel(r -> r.arn(ARN))
                    .get(5, TimeUnit.SECONDS);
            assertThat(response.channel().arn()).isEqualTo(ARN);
            assertThat(server.requests()).hasSize(3);
        }
        try (TestServer server = TestServer.script(Reply.error(400, "ValidationException", "no"), OK)) {
            assertThatThrownBy(() -> TestClients.client(server)
                            .async()
                            .getChannel(r -> r.arn(ARN))
                            .join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(ValidationException.class);
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void connectionFailuresAreRetriedThenReported() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (TestServer unused = TestServer.script(OK)) {
            IvsClient client = TestClients.builder(unused)
                    .endpoint(URI.create("http://127.0.0.1:" + port))
                    .build();
            assertThatThrownBy(() -> client.getChannel(r -> r.arn(ARN)))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("after 3 attempts");
            assertThatThrownBy(() -> client.async().getChannel(r -> r.arn(ARN)).join())
                    .hasCauseInstanceOf(UncheckedIOException.class);
        }
    }

    @Test
    void aSlowAnswerTimesOutPerAttempt() throws Exception {
        try (TestServer server = TestServer.start(r -> {
            try {
                Thread.sleep(4_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return OK;
        })) {
            IvsClient client = TestClients.builder(server)
                    .requestTimeout(Duration.ofMillis(150))
                    .maxAttempts(2)
                    .build();
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.getChannel(r -> r.arn(ARN)))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasRootCauseInstanceOf(HttpTimeoutException.class);
            // Two 150 ms attempts and a backoff, far from one 4 s answer even on a loaded machine.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
            assertThat(server.requests().size()).isLessThanOrEqualTo(2);
        }
    }
}
