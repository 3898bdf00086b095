package io.openivs.server.reliability;

import static io.openivs.server.testing.Publishing.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openivs.server.testing.Publishing;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * Issue 16, logs operators can use: JSON lines (every line of output an object with an ISO-8601 time),
 * text lines with ISO-8601 times, and the access log of playback and the API; secrets (the stream key
 * in the RTMP URL, a playback token, a presigned signature, the API secret) never in any line, even
 * at DEBUG.
 */
class LogOutputTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "eyJsecret-playback-token-0123456789";
    static final String SIGNATURE = "5ec12e7516a7a7e0c0ffee5ec12e7516a7a7e0c0ffee";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void jsonLinesWithAnAccessLogAndNoSecrets() throws Exception {
        String streamKey;
        String channelArn;
        List<JsonNode> access;
        List<String> out;
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (ChildServer server = ChildServer.start(
                        dir, List.of("--log-level", "debug", "--log-format", "json", "--access-log"));
                IvsClient ivs = server.ivs()) {
            CreateChannelResponse ch = ivs.createChannel(b -> b.name("logged").insecureIngest(true));
            streamKey = ch.streamKey().value();
            // Told to finish once the viewer's requests are made (at most 8 s): the stream's end is logged as before.
            Publishing.Stoppable publisher = Publishing.startStoppable(server.rtmpUrl(streamKey), 8);
            URI master = URI.create(ch.channel().playbackUrl() + "?token=" + TOKEN);
            // The master, then its media playlist and a segment, each asked with the token in the query.
            String media = await(Duration.ofSeconds(30), () -> firstUri(get(http, master)));
            URI mediaUri = master.resolve(media);
            String segment =
                    await(Duration.ofSeconds(30), () -> firstUri(get(http, URI.create(mediaUri + "?token=" + TOKEN))));
            assertThat(get(http, URI.create(mediaUri.resolve(segment) + "?token=" + TOKEN)))
                    .isNotNull();
            // A presigned-looking API request: refused, logged without its query.
            HttpResponse<String> refused = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.api
                                    + "/ListChannels?X-Amz-Credential=" + ChildServer.AK
                                    + "%2F20260101%2Fus-west-2%2Fivs%2Faws4_request&X-Amz-Signature=" + SIGNATURE))
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(403);
            // The web console's sign-in: the secret crosses in the body, in no line of the log.
            for (String secret : List.of(ChildServer.SK, "wrong-" + ChildServer.SK)) {
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.api + "/console/session"))
                                .header("x-openivs-console", "1")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"accessKeyId\":\"" + ChildServer.AK
                                        + "\",\"secretAccessKey\":\"" + secret + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            channelArn = ch.channel().arn();
            publisher.stop();
            String ended = "on " + channelArn + " (logged) ended";
            await(Duration.ofSeconds(20), () -> {
                synchronized (server.output) {
                    return server.output.stream().anyMatch(l -> l.contains(ended)) ? true : null;
                }
            });
            access = await(Duration.ofSeconds(10), () -> {
                List<JsonNode> lines = accessLines(server.output);
                boolean segmentLogged =
                        lines.stream().anyMatch(l -> l.path("path").asText().endsWith(".ts"));
                boolean apiLogged = lines.stream()
                        .anyMatch(l -> "/ListChannels".equals(l.path("path").asText()));
                return segmentLogged && apiLogged ? lines : null;
            });
            out = new ArrayList<>(server.output);
        }
        for (String line : out) {
            JsonNode o = JSON.readTree(line); // every line an object: banner, server logs, access log
            assertThat(o.isObject()).as(line).isTrue();
            Instant.parse(o.path("time").asText());
            assertThat(o.path("level").asText()).isNotEmpty();
        }
        assertThat(out).anyMatch(l -> l.contains("openivs: ready"));
        assertThat(out).anyMatch(l -> l.contains("\"level\":\"DEBUG\""));

        JsonNode seg = access.stream()
                .filter(l -> l.path("path").asText().endsWith(".ts"))
                .findFirst()
                .orElseThrow();
        assertThat(seg.path("door").asText()).isEqualTo("playback");
        assertThat(seg.path("method").asText()).isEqualTo("GET");
        assertThat(seg.path("status").asInt()).isEqualTo(200);
        assertThat(seg.path("bytes").asLong()).isGreaterThan(1000);
        assertThat(seg.path("duration_ms").isNumber()).isTrue();
        assertThat(seg.path("client").asText()).isEqualTo("127.0.0.1");
        assertThat(access)
                .anyMatch(l -> l.path("path").asText().endsWith("/live.m3u8")
                        && l.path("status").asInt() == 200
                        && l.path("bytes").asLong() > 0);
        JsonNode api = access.stream()
                .filter(l -> "api".equals(l.path("door").asText())
                        && l.path("path").asText().equals("/ListChannels"))
                .findFirst()
                .orElseThrow();
        assertThat(api.path("path").asText()).isEqualTo("/ListChannels");
        assertThat(api.path("status").asInt()).isEqualTo(403);

        // Lines that name a channel give its name beside its ARN.
        assertThat(out).anyMatch(l -> l.contains("admitted for " + channelArn + " (logged)"));
        assertThat(out).anyMatch(l -> l.contains("on " + channelArn + " (logged) ended"));
        assertThat(out).anyMatch(l -> l.contains("console: access key " + ChildServer.AK + " signed in"));
        assertThat(out).anyMatch(l -> l.contains("console: sign-in refused for access key " + ChildServer.AK));
        for (String secret : List.of(streamKey, TOKEN, SIGNATURE, ChildServer.SK)) {
            assertThat(out).as("no line holds a secret").noneMatch(l -> l.contains(secret));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void textLinesCarryIsoTimestamps() throws Exception {
        // The shipped configuration (the test classpath's logback-test.xml would win otherwise).
        Path shipped = Path.of(LogOutputTest.class.getResource("/logback.xml").toURI());
        ChildServer server = ChildServer.start(
                dir, List.of("--log-level", "debug"), List.of("-Dlogback.configurationFile=" + shipped));
        server.close();
        await(Duration.ofSeconds(10), () -> server.output.contains("openivs: stopped") ? true : null);
        List<String> out = new ArrayList<>(server.output);
        // Log lines (not the banner): 2026-12-06T15:47:04.123Z DEBUG ...
        assertThat(out).anyMatch(l -> l.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z DEBUG .*"));
        assertThat(out).noneMatch(l -> l.matches("\\d{2}:\\d{2}:\\d{2}\\.\\d{3} .*")); // the old time-only form
    }

    private static List<JsonNode> accessLines(List<String> output) {
        List<JsonNode> out = new ArrayList<>();
        synchronized (output) {
            for (String line : output) {
                if (line.contains("\"logger\":\"openivs.access\"")) {
                    try {
                        out.add(JSON.readTree(line));
                    } catch (IOException e) {
                        throw new AssertionError(line, e);
                    }
                }
            }
        }
        return out;
    }

    /** The first URI line of a playlist, or null. */
    private static String firstUri(String playlist) {
        if (playlist == null) {
            return null;
        }
        for (String line : playlist.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                return line.trim();
            }
        }
        return null;
    }

    private static String get(HttpClient http, URI uri) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
