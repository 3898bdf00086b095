package io.openivs.server.playback.access;

import static io.openivs.server.playback.access.LiveChannels.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.testing.TestServer;
import io.openivs.server.testing.TwoNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;

/**
 * Two nodes on one PostgreSQL database: access changes made through one node reach the other's
 * playback within its refresh period, and a single-use token is spent for both. The channel is
 * offline, so a request that passes the access check gets 404 and a refused one 403.
 */
class PlaybackAccessClusterTest {
    @TempDir
    Path dir;

    TwoNodes nodes;
    TestServer a;
    TestServer b;

    @BeforeEach
    void start() throws Exception {
        nodes = new TwoNodes(dir);
        a = nodes.a;
        b = nodes.b;
    }

    @AfterEach
    void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static String on(TestServer node, String playbackUrl) {
        return "http://127.0.0.1:" + node.server().playbackPort() + playbackUrl.substring(playbackUrl.indexOf("/api/"));
    }

    /** Polls until the URL answers {@code status}; returns how long that took. */
    private static Duration awaitStatus(String url, int status, Duration limit) throws Exception {
        long start = System.nanoTime();
        while (true) {
            HttpResponse<String> r = get(url);
            if (r.statusCode() == status) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(r.body()).isLessThan(limit);
            Thread.sleep(50);
        }
    }

    @Test
    void revocationsKeyDeletionAndSingleUseReachEveryNode() throws Exception {
        try (IvsClient onA = a.client(TestServer.ALICE)) {
            KeyPair key = TestTokens.newKeyPair();
            String keyArn = onA.importPlaybackKeyPair(r -> r.publicKeyMaterial(TestTokens.publicPem(key)))
                    .keyPair()
                    .arn();
            var channel = onA.createChannel(r -> r.authorized(true)).channel();
            String arn = channel.arn();

            String viewer = TestTokens.sign(
                    key, arn, 300, c -> c.claim("aws:viewer-id", "v").claim("aws:viewer-session-version", 1));
            String onB = on(b, channel.playbackUrl()) + "?token=" + viewer;
            assertThat(get(onB).statusCode()).isEqualTo(404);
            onA.startViewerSessionRevocation(
                    r -> r.channelArn(arn).viewerId("v").viewerSessionVersionsLessThanOrEqualTo(1));
            assertThat(get(on(a, channel.playbackUrl()) + "?token=" + viewer).statusCode())
                    .isEqualTo(403);
            // Documented bound: about one refresh period (1 s); generous here for a loaded machine.
            assertThat(awaitStatus(onB, 403, Duration.ofSeconds(5))).isLessThan(Duration.ofSeconds(5));

            String once = TestTokens.sign(
                    key,
                    arn,
                    300,
                    c -> c.claim("aws:single-use-uuid", UUID.randomUUID().toString()));
            assertThat(get(on(a, channel.playbackUrl()) + "?token=" + once).statusCode())
                    .isEqualTo(404);
            HttpResponse<String> again = get(on(b, channel.playbackUrl()) + "?token=" + once);
            assertThat(again.statusCode()).isEqualTo(403);
            assertThat(again.body()).contains("already used");

            String plain = on(b, channel.playbackUrl()) + "?token=" + TestTokens.sign(key, arn, 300);
            assertThat(get(plain).statusCode()).isEqualTo(404);
            onA.deletePlaybackKeyPair(r -> r.arn(keyArn));
            awaitStatus(plain, 403, Duration.ofSeconds(5));
        }
    }
}
