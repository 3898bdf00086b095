package io.openivs.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.openivs.server.OpenIvsServer;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * Webhook deliveries owed while the receiver is down survive a shutdown and a restart, arrive once each
 * and in order, and never hold back the events file.
 */
class WebhookDeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void deliveriesOwedWhileTheReceiverIsDownArriveAfterARestartOnceEachInOrder() throws Exception {
        int port = freePort();
        URI url = URI.create("http://127.0.0.1:" + port + "/hook");
        List<String> sent = new ArrayList<>();
        try (WebhookSink sink = WebhookSink.inDataDir(url, "s3cret", dir)) {
            for (int i = 0; i < 3; i++) {
                IvsEvent e = event("Stream Start");
                sent.add(e.id());
                sink.publish(e);
            }
            waitFor(() -> sink.failedAttempts() > 0, 10);
            assertThat(sink.owed()).isEqualTo(3);
        }
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = receiver(port, received);
        try (WebhookSink again = WebhookSink.inDataDir(url, "s3cret", dir)) {
            waitFor(() -> received.size() >= 3 && again.owed() == 0, 15);
            Thread.sleep(300); // nothing more may come
            assertThat(received).extracting(j -> j.path("id").asText()).containsExactlyElementsOf(sent);
            assertThat(again.delivered()).isEqualTo(3);
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void aDeliveryOlderThanTheExpiryIsDroppedNotRetriedForever() throws Exception {
        URI url = URI.create("http://127.0.0.1:" + freePort() + "/hook");
        try (WebhookSink sink = new WebhookSink(url, null, dir.resolve("outbox"), Duration.ofMillis(1500))) {
            sink.publish(event("Stream End"));
            waitFor(() -> sink.expired() == 1, 15);
            assertThat(sink.owed()).isZero();
            assertThat(sink.failedAttempts()).isPositive();
        }
    }

    /** The whole server: a SIGTERM (close) while its webhook is down loses no event, in the file or the webhook. */
    @Test
    void aShutdownWithTheWebhookDownKeepsEveryEventOfTheSession() throws Exception {
        int port = freePort();
        URI url = URI.create("http://127.0.0.1:" + port + "/hook");
        List<String> expected = List.of("Session Created", "Stream Start", "Session Ended", "Stream End");
        String db = TestDatabases.sqlite(dir);
        try (TestServer server = new TestServer(
                        dir,
                        db,
                        io.openivs.server.config.ServerConfig.Quotas.defaults(),
                        List.of(WebhookSink.inDataDir(url, null, dir)));
                IvsClient ivs = server.client(TestServer.ALICE)) {
            CreateChannelResponse created =
                    ivs.createChannel(b -> b.name("owed").insecureIngest(true));
            FfmpegTool.ffmpeg(
                    "-hide_banner",
                    "-loglevel",
                    "error",
                    "-re",
                    "-f",
                    "lavfi",
                    "-i",
                    "testsrc2=size=320x240:rate=30",
                    "-f",
                    "lavfi",
                    "-i",
                    "sine",
                    "-t",
                    "3",
                    "-c:v",
                    "libx264",
                    "-preset",
                    "ultrafast",
                    "-g",
                    "30",
                    "-c:a",
                    "aac",
                    "-f",
                    "flv",
                    "rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/"
                            + created.streamKey().value());
            Path file = dir.resolve(OpenIvsServer.EVENTS_FILE);
            waitFor(() -> names(file).size() >= 4, 20);
        } // closed as SIGTERM closes it, the webhook still down
        assertThat(names(dir.resolve(OpenIvsServer.EVENTS_FILE))).containsExactlyElementsOf(expected);

        List<JsonNode> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = receiver(port, received);
        try (TestServer restarted = new TestServer(
                dir,
                db,
                io.openivs.server.config.ServerConfig.Quotas.defaults(),
                List.of(WebhookSink.inDataDir(url, null, dir)))) {
            waitFor(() -> received.size() >= 4, 20);
            Thread.sleep(300);
            assertThat(received)
                    .extracting(j -> j.path("detail").path("event_name").asText())
                    .containsExactlyElementsOf(expected);
            assertThat(received).extracting(j -> j.path("id").asText()).doesNotHaveDuplicates();
        } finally {
            receiver.stop(0);
        }
    }

    private static IvsEvent event(String name) {
        return IvsEvent.streamState(
                name,
                "123456789012",
                "us-west-2",
                "arn:aws:ivs:us-west-2:123456789012:channel/abcdEFGH1234",
                "c",
                "st-1",
                Instant.now());
    }

    private static HttpServer receiver(int port, List<JsonNode> received) throws IOException {
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        hook.createContext("/hook", ex -> {
            received.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hook.start();
        return hook;
    }

    private static List<String> names(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(file)) {
            return lines.map(l -> {
                        try {
                            return JSON.readTree(l)
                                    .path("detail")
                                    .path("event_name")
                                    .asText();
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier done, int seconds) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(done.getAsBoolean()).as("condition within %d s", seconds).isTrue();
    }
}
