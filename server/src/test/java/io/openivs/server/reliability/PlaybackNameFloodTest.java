package io.openivs.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.playback.access.AccessDirectory;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15, item 3: asking the playback port for 20,000 channel names that do not exist (no
 * credentials needed) neither fills the server's memory with them nor slows the account's API:
 * UpdateChannel stays fast afterwards and what playback holds of the store stays small.
 */
@Tag("reliability")
class PlaybackNameFloodTest {
    private static final int NAMES = 20_000;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    @Test
    void unknownNamesAreRefusedCheaplyAndNotHeld() throws Exception {
        flood(node);
    }

    /** The attack and its checks against {@code node}'s server (SQLite here, PostgreSQL in {@link PlaybackNameFloodPostgresTest}). */
    static void flood(ServerFixture node) throws Exception {
        String arn = node.ivs()
                .createChannel(b -> b.name("flood-target").authorized(true))
                .channel()
                .arn();
        long before = medianUpdateMs(node, arn);

        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String prefix = "http://127.0.0.1:" + node.server().server().playbackPort() + "/api/video/v1/"
                + TestServer.REGION + "." + TestServer.ALICE.accountId() + ".channel.";
        SecureRandom random = new SecureRandom();
        Semaphore inFlight = new Semaphore(32);
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        CompletableFuture<?>[] all = new CompletableFuture<?>[NAMES];
        for (int i = 0; i < NAMES; i++) {
            char[] id = new char[12];
            for (int j = 0; j < id.length; j++) {
                id[j] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            }
            inFlight.acquire();
            all[i] = http.sendAsync(
                            HttpRequest.newBuilder(URI.create(prefix + new String(id) + ".m3u8"))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, e) -> {
                        inFlight.release();
                        (r != null && r.statusCode() == 403 ? refused : other).incrementAndGet();
                    });
        }
        CompletableFuture.allOf(all).join();
        assertThat(refused.get())
                .as("unknown names look like private channels without a token")
                .isEqualTo(NAMES);

        // A shared store's refresh round (every second) must not re-read the names either.
        Thread.sleep(2 * AccessDirectory.REFRESH_MS);
        long after = medianUpdateMs(node, arn);
        int held = node.server().server().playbackAccess().size();
        System.out.printf(
                "UpdateChannel median %d ms before, %d ms after %d unknown names; %d snapshots held%n",
                before, after, NAMES, held);
        assertThat(held).as("snapshots held after %d unknown names", NAMES).isLessThanOrEqualTo(5_000);
        assertThat(after)
                .as("UpdateChannel after the flood (ms; before: %d)", before)
                .isLessThan(200);
    }

    /** The median of 7 UpdateChannel calls, in milliseconds. */
    private static long medianUpdateMs(ServerFixture node, String arn) {
        long[] ms = new long[7];
        for (int i = 0; i < ms.length; i++) {
            long start = System.nanoTime();
            String name = "flood-target-" + i;
            node.ivs().updateChannel(b -> b.arn(arn).name(name));
            ms[i] = (System.nanoTime() - start) / 1_000_000;
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
