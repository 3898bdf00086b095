package io.openivs.client.testing;

import io.openivs.client.IvsClient;
import io.openivs.client.IvsClientBuilder;
import io.openivs.client.config.AwsEnvironment;
import io.openivs.client.transport.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/** Clients aimed at a {@link TestServer}, isolated from the machine's AWS settings, with quick retries. */
public final class TestClients {

    public static final String ACCESS_KEY = "AKIDTEST";
    public static final String SECRET_KEY = "test/secret+key";
    public static final Instant TIME = Instant.parse("2024-03-05T07:08:09Z");

    private TestClients() {}

    public static IvsClientBuilder builder(TestServer server) {
        return IvsClient.builder()
                .endpoint(server.uri())
                .region("us-west-2")
                .credentials(ACCESS_KEY, SECRET_KEY)
                .environment(new AwsEnvironment(Map.of(), null))
                .clock(Clock.fixed(TIME, ZoneOffset.UTC))
                .requestTimeout(Duration.ofSeconds(5))
                .retryPolicy(RetryPolicy.of(3, Duration.ofMillis(2), Duration.ofMillis(10)));
    }

    public static IvsClient client(TestServer server) {
        return builder(server).build();
    }
}
