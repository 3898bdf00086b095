package io.openivs.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.openivs.server.api.ApiServer;
import io.openivs.server.net.ConnectionCap;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ivs.IvsClient;

/**
 * Issue 15, item 4, on the control API port: the doors the playback port has. A silent connection, a trickled
 * head and a trickled body are closed by their deadlines; a body over 1 MiB gets the API's error; past the
 * connection cap a new connection gets a 503 an AWS SDK understands, while a signed client on a kept-alive
 * connection goes on working. Each case runs on an API listener of its own (the node's handler, other limits).
 */
@Tag("reliability")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ApiLimitsTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    private static final String SIGNED_LESS = "POST /ListChannels HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

    private static IvsClient client(int port) {
        return IvsClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(TestServer.ALICE.accessKeyId(), TestServer.ALICE.secretKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @Test
    void silentConnectionsTricklingHeadsAndTricklingBodiesAreClosed() throws Exception {
        try (ApiServer api =
                node.server().server().apiServer().withLimits(0, new ApiServer.Limits(1_000, 30_000, 2_000, 64))) {
            try (SlowClient silent = new SlowClient(api.port())) {
                assertThat(silent.readUntilClosed(4_000))
                        .as("a connection that says nothing, closed by the header timeout")
                        .isNotNull();
            }
            try (SlowClient head = new SlowClient(api.port())) {
                String text =
                        "POST /ListChannels HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
                boolean closed = false;
                for (int i = 0; i < 40 && !closed; i++) { // a byte every 200 ms: only the header deadline ends it
                    closed = !head.trySend(text.substring(i % text.length(), i % text.length() + 1))
                            || head.readUntilClosed(200) != null;
                }
                assertThat(closed)
                        .as("a trickled head, closed within two header timeouts")
                        .isTrue();
            }
            try (SlowClient body = new SlowClient(api.port())) {
                assertThat(body.trySend("POST /ListChannels HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                + "Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"))
                        .isTrue();
                boolean closed = false;
                long start = System.nanoTime();
                for (int i = 0; i < 60 && !closed; i++) { // a byte every 200 ms keeps the idle clock at bay
                    closed = !body.trySend(" ") || body.readUntilClosed(200) != null;
                }
                assertThat(closed)
                        .as("a trickled body, closed by the body timeout")
                        .isTrue();
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                        .as("not before the body timeout")
                        .isGreaterThanOrEqualTo(1_500);
            }
        }
    }

    @Test
    void anOversizedBodyGetsTheApisError() throws Exception {
        try (ApiServer api = node.server()
                        .server()
                        .apiServer()
                        .withLimits(0, new ApiServer.Limits(30_000, 30_000, 30_000, 64));
                SlowClient c = new SlowClient(api.port())) {
            c.trySend("POST /CreateChannel HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (ApiServer.MAX_BODY + 1) + "\r\n\r\n");
            String answer = c.readUntil("}", 10_000);
            assertThat(answer)
                    .startsWith("HTTP/1.1 413")
                    .containsIgnoringCase("x-amzn-ErrorType: RequestEntityTooLargeException")
                    .contains("\"message\"");
        }
    }

    @Test
    void pastTheCapNewConnectionsAreRefusedWhileKeptAliveClientsWork() throws Exception {
        Logger capLog = (Logger) LoggerFactory.getLogger(ConnectionCap.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        capLog.addAppender(appender);
        // Generous timeouts: the held heads must outlast the refusals on a loaded machine.
        try (ApiServer api = node.server()
                        .server()
                        .apiServer()
                        .withLimits(0, new ApiServer.Limits(60_000, 60_000, 60_000, 4));
                IvsClient ivs = client(api.port())) {
            ivs.listChannels(b -> {}); // one kept-alive connection
            List<SlowClient> held = new ArrayList<>();
            try {
                while (api.openConnections() < 4) {
                    SlowClient c = new SlowClient(api.port());
                    assertThat(c.trySend("POST /")).isTrue(); // a head under way
                    held.add(c);
                    awaitOpen(api, 1 + held.size());
                }
                for (int i = 0; i < 10; i++) {
                    try (SlowClient extra = new SlowClient(api.port())) {
                        extra.trySend(SIGNED_LESS);
                        assertThat(extra.readUntilClosed(5_000))
                                .as("answer past the cap")
                                .isNotNull()
                                .startsWith("HTTP/1.1 503")
                                .containsIgnoringCase("x-amzn-ErrorType: ServiceUnavailable\r\n")
                                .contains("\"message\"");
                    }
                }
                for (int i = 0; i < 5; i++) {
                    assertThat(ivs.listChannels(b -> {}).channels())
                            .as("the signed client on its kept-alive connection")
                            .isNotNull();
                }
                assertThat(api.openConnections()).isEqualTo(4);
            } finally {
                for (SlowClient c : held) {
                    c.close();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (api.openConnections() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            try (IvsClient fresh = client(api.port())) {
                assertThat(fresh.listChannels(b -> {}).channels())
                        .as("a new client once connections are free")
                        .isNotNull();
            }
            assertThat(appender.list).as("refusal log lines for 10 refusals").hasSize(1);
        } finally {
            capLog.detachAppender(appender);
        }
    }

    private static void awaitOpen(ApiServer api, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (api.openConnections() != n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(api.openConnections()).as("open connections").isEqualTo(n);
    }
}
