package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.openivs.server.OpenIvsServer;
import io.openivs.server.events.WebhookSink;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * A publish and a StopStream produce the IVS stream events, in order, in the
 * events file and at a webhook (which refuses the first delivery, so the
 * retry is exercised, and checks the HMAC signature).
 */
class LiveEventsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "webhook-secret";

    @TempDir
    Path dir;

    @Test
    void streamEventsReachTheFileAndAWebhookInOrder() throws Exception {
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        List<Boolean> signaturesValid = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/events", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (calls.incrementAndGet() == 1) {
                ex.sendResponseHeaders(503, -1); // the first delivery fails: at-least-once means a retry
                ex.close();
                return;
            }
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(SECRET.getBytes(), "HmacSHA256"));
                String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
                signaturesValid.add(expected.equals(ex.getRequestHeaders().getFirst(WebhookSink.SIGNATURE_HEADER)));
                received.add(JSON.readTree(body));
            } catch (Exception e) {
                signaturesValid.add(false);
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hook.start();
        URI url = URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/events");
        try (TestServer server = new TestServer(
                        dir,
                        TestDatabases.sqlite(dir),
                        io.openivs.server.config.ServerConfig.Quotas.defaults(),
                        List.of(WebhookSink.inDataDir(url, SECRET, dir)));
                IvsClient ivs = server.client(TestServer.ALICE)) {
            CreateChannelResponse created =
                    ivs.createChannel(b -> b.name("evented").insecureIngest(true));
            String channelArn = created.channel().arn();
            CompletableFuture<FfmpegTool.Result> ffmpeg = CompletableFuture.supplyAsync(() -> {
                try {
                    return FfmpegTool.ffmpeg(
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
                            "15",
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
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String streamId = null;
            for (int i = 0; i < 75 && streamId == null; i++) {
                try {
                    streamId = ivs.getStream(b -> b.channelArn(channelArn)).stream()
                            .streamId();
                } catch (software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException e) {
                    Thread.sleep(200);
                }
            }
            assertThat(streamId).as("stream went live").isNotNull();
            Thread.sleep(1500); // let media flow so Stream Start is sent
            ivs.stopStream(b -> b.channelArn(channelArn));
            ffmpeg.get(20, TimeUnit.SECONDS);

            List<String> expected = List.of("Session Created", "Stream Start", "Session Ended", "Stream End");
            Path file = dir.resolve(OpenIvsServer.EVENTS_FILE);
            for (int i = 0; i < 100 && (received.size() < 4 || lines(file).size() < 4); i++) {
                Thread.sleep(100);
            }
            List<JsonNode> fromFile = lines(file);
            for (List<JsonNode> events : List.of(fromFile, received)) {
                assertThat(events)
                        .extracting(e -> e.path("detail").path("event_name").asText())
                        .containsExactlyElementsOf(expected);
                for (JsonNode e : events) {
                    assertThat(e.path("version").asText()).isEqualTo("0");
                    assertThat(e.path("source").asText()).isEqualTo("aws.ivs");
                    assertThat(e.path("detail-type").asText()).isEqualTo("IVS Stream State Change");
                    assertThat(e.path("account").asText()).isEqualTo("111111111111");
                    assertThat(e.path("region").asText()).isEqualTo("us-west-2");
                    assertThat(e.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
                    assertThat(e.path("resources").get(0).asText()).isEqualTo(channelArn);
                    assertThat(e.path("detail").path("channel_name").asText()).isEqualTo("evented");
                    assertThat(e.path("detail").path("stream_id").asText()).isEqualTo(streamId);
                }
            }
            assertThat(signaturesValid).containsOnly(true);
            assertThat(calls.get()).isEqualTo(5); // one refused, then four delivered
        } finally {
            hook.stop(0);
        }
    }

    static List<JsonNode> lines(Path file) throws Exception {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            if (!l.isBlank()) {
                out.add(JSON.readTree(l));
            }
        }
        return out;
    }
}
