package io.openivs.server.reliability;

import static io.openivs.server.testing.Publishing.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * Issue 15 item 9: the webhook receiver, the store and the process fail at (seeded) random points of
 * two sessions, and still every event of them is in events.jsonl exactly once, and every one of those
 * ids reaches the webhook in the end (which may see one twice, as at-least-once delivery allows, but
 * no id that is not in the file).
 *
 * <p>Session A: the receiver goes down mid-stream; the SQLite database is locked by another
 * connection before the publisher stops, past the store's busy timeout, so the session's end cannot
 * be written; the process is killed while it still cannot. Session B: killed mid-stream with the
 * receiver still down. Then everything comes back. Last, an event in the file that the webhook's
 * outbox never got (a kill between the two writes) is delivered after a restart.
 */
class EventsUnderFaultsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> SESSION = List.of("Session Created", "Stream Start", "Stream End", "Session Ended");

    @TempDir
    Path dir;

    final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyEventOfASessionReachesTheFileAndTheWebhookOnceDespiteFaults() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("EventsUnderFaultsTest seed " + seed);
        int hookPort = ChildServer.freePort();
        HttpServer receiver = receiver(hookPort);
        List<String> options = List.of("--webhook", "http://127.0.0.1:" + hookPort + "/hook");
        CreateChannelResponse ch;
        String streamA;
        try (ChildServer first = ChildServer.start(dir, options);
                IvsClient ivs = first.ivs()) {
            ch = ivs.createChannel(b -> b.name("faulty").insecureIngest(true));
            int seconds = 6;
            CompletableFuture<FfmpegTool.Result> a =
                    Publishing.publish(first.rtmpUrl(ch.streamKey().value()), seconds);
            streamA = await(Duration.ofSeconds(20), () -> streamOf(events(), "Stream Start"));
            Thread.sleep(500 + random.nextInt(2000));
            receiver.stop(0); // the receiver dies mid-stream
            // The store fails shortly before the publisher stops, and stays failed past the busy timeout.
            try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("openivs.db"));
                    Statement s = lock.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
                s.execute("BEGIN EXCLUSIVE");
                assertThat(a.get(30, TimeUnit.SECONDS).exitCode()).isZero();
                String a1 = streamA;
                await(
                        Duration.ofSeconds(35),
                        () -> first.output.stream().anyMatch(l -> l.contains("could not end stream session " + a1))
                                ? true
                                : null);
                Thread.sleep(random.nextInt(1000));
                first.kill(); // while the end still cannot be written
                s.execute("ROLLBACK");
            }
        }

        String streamB;
        try (ChildServer second = ChildServer.start(dir, options)) {
            CompletableFuture<FfmpegTool.Result> b =
                    Publishing.publish(second.rtmpUrl(ch.streamKey().value()), 20);
            String a1 = streamA;
            streamB = await(Duration.ofSeconds(20), () -> {
                String s = streamOf(events(), "Stream Start");
                return s != null && !s.equals(a1) ? s : null;
            });
            Thread.sleep(random.nextInt(3000));
            second.kill(); // mid-stream, the receiver still down
            b.get(30, TimeUnit.SECONDS);
        }

        receiver = receiver(hookPort);
        try (ChildServer third = ChildServer.start(dir, options);
                IvsClient ivs = third.ivs()) {
            String channelArn = ch.channel().arn();
            assertThatThrownBy(() -> ivs.getStream(b -> b.channelArn(channelArn)))
                    .isInstanceOf(ChannelNotBroadcastingException.class);
            // Every id in the file reaches the webhook.
            await(Duration.ofSeconds(20), () -> {
                Set<String> ids = new HashSet<>();
                events().forEach(e -> ids.add(e.path("id").asText()));
                assertThat(received.keySet()).containsExactlyInAnyOrderElementsOf(ids);
                return true;
            });
        } finally {
            receiver.stop(0);
        }

        // A kill between the events file's write and the webhook outbox's leaves an event in the file only (the
        // window is too short to hit at random, so the state it leaves is made here): the next start owes it.
        ObjectNode onlyInFile = (ObjectNode) events().get(events().size() - 1).deepCopy();
        String lateId = UUID.randomUUID().toString();
        onlyInFile.put("id", lateId);
        ((ObjectNode) onlyInFile.path("detail")).put("stream_id", "st-written-before-the-kill");
        Files.writeString(
                dir.resolve("events.jsonl"), JSON.writeValueAsString(onlyInFile) + "\n", StandardOpenOption.APPEND);
        receiver = receiver(hookPort);
        try (ChildServer fourth = ChildServer.start(dir, options)) {
            await(Duration.ofSeconds(15), () -> received.containsKey(lateId) ? true : null);
        } finally {
            receiver.stop(0);
        }

        List<JsonNode> all = events();
        Map<String, Integer> perId = new HashMap<>();
        all.forEach(e -> perId.merge(e.path("id").asText(), 1, Integer::sum));
        assertThat(perId)
                .as("each event id once in events.jsonl (seed %d)", seed)
                .allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        for (String stream : List.of(streamA, streamB)) {
            for (String name : SESSION) {
                long n = all.stream()
                        .filter(e -> stream.equals(
                                        e.path("detail").path("stream_id").asText())
                                && name.equals(
                                        e.path("detail").path("event_name").asText()))
                        .count();
                assertThat(n)
                        .as("%s of stream %s in events.jsonl (seed %d)", name, stream, seed)
                        .isEqualTo(1);
            }
        }
        assertThat(received.keySet()).containsExactlyInAnyOrderElementsOf(perId.keySet());
    }

    private HttpServer receiver(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String id = JSON.readTree(body).path("id").asText();
            received.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** The stream id of the last event named {@code name}, or null. */
    private static String streamOf(List<JsonNode> events, String name) {
        String id = null;
        for (JsonNode e : events) {
            if (name.equals(e.path("detail").path("event_name").asText())) {
                id = e.path("detail").path("stream_id").asText();
            }
        }
        return id;
    }

    private List<JsonNode> events() {
        List<JsonNode> out = new ArrayList<>();
        Path file = dir.resolve("events.jsonl");
        if (!Files.exists(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}
