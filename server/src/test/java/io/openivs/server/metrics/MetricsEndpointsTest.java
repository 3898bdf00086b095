package io.openivs.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.config.ServerConfig;
import io.openivs.server.events.WebhookSink;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.ResourceNotFoundException;

/**
 * /healthz, /readyz and /metrics on the API port without a signature; the metrics, read by a strict
 * text-format parser, agree with a live stream published with ffmpeg and watched over HTTP.
 */
class MetricsEndpointsTest {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(String url) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void metricsFollowALiveStreamAndItsViewer(@TempDir Path dir) throws Exception {
        // A webhook nobody answers: its failed attempts and owed deliveries show up.
        WebhookSink down = WebhookSink.inDataDir(URI.create("http://127.0.0.1:1/hook?token=secret"), null, dir);
        try (TestServer node =
                new TestServer(dir, TestDatabases.sqlite(dir), ServerConfig.Quotas.defaults(), List.of(down))) {
            String api = node.endpoint().toString();
            HttpResponse<String> health = get(api + "/healthz");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");
            assertThat(get(api + "/readyz").statusCode()).isEqualTo(200);
            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(URI.create(api + "/readyz"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).as("GET only").isEqualTo(405);

            IvsClient ivs = node.client(TestServer.ALICE);
            CreateChannelResponse created = ivs.createChannel(b -> b.name("metrics-demo"));
            String arn = created.channel().arn();
            assertThatThrownBy(() -> ivs.getChannel(b -> b.arn(arn + "x")))
                    .isInstanceOf(ResourceNotFoundException.class);

            PrometheusText idle = PrometheusText.parse(get(api + "/metrics").body());
            assertThat(idle.value("openivs_live_streams", Map.of())).isZero();
            assertThat(idle.value("openivs_api_requests_total", Map.of("operation", "CreateChannel", "status", "200")))
                    .isEqualTo(1);
            assertThat(idle.value("openivs_api_requests_total", Map.of("operation", "GetChannel", "status", "404")))
                    .isEqualTo(1);
            assertThat(idle.find("jvm_memory_used_bytes", Map.of())).isNotEmpty();
            assertThat(idle.types).containsEntry("openivs_playback_segments_served_total", "counter");

            String rtmps = "rtmps://127.0.0.1:" + node.server().rtmpsPort() + "/app/"
                    + created.streamKey().value();
            // Stopped once the metrics are checked; its exit code still says whether it published without an error.
            Publishing.Stoppable publisher = Publishing.startStoppable(rtmps, 20);
            String playbackUrl = created.channel().playbackUrl().replace("localhost", "127.0.0.1");
            // A viewer: the multivariant playlist, its media playlist, then a segment of it.
            String media = Publishing.await(Duration.ofSeconds(30), () -> {
                HttpResponse<String> master = get(playbackUrl);
                assertThat(master.statusCode()).isEqualTo(200);
                String line = master.body()
                        .lines()
                        .filter(l -> !l.startsWith("#") && !l.isBlank())
                        .findFirst()
                        .orElseThrow();
                HttpResponse<String> m =
                        get(URI.create(playbackUrl).resolve(line).toString());
                assertThat(m.statusCode()).isEqualTo(200);
                assertThat(m.body()).contains("#EXTINF");
                return URI.create(playbackUrl).resolve(line).toString() + "\n" + m.body();
            });
            String mediaUrl = media.substring(0, media.indexOf('\n'));
            String segment = media.lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank() && !l.equals(mediaUrl))
                    .findFirst()
                    .orElseThrow();
            assertThat(get(URI.create(mediaUrl).resolve(segment).toString()).statusCode())
                    .isEqualTo(200);

            PrometheusText live = Publishing.await(Duration.ofSeconds(20), () -> {
                PrometheusText t = PrometheusText.parse(get(api + "/metrics").body());
                Map<String, String> channel = Map.of("channel", "metrics-demo", "channel_arn", arn);
                assertThat(t.value("openivs_stream_viewers", channel)).isEqualTo(1);
                assertThat(t.value("openivs_stream_ingest_bitrate_bits_per_second", channel))
                        .isGreaterThan(0);
                return t;
            });
            Map<String, String> channel = Map.of("channel", "metrics-demo", "channel_arn", arn);
            assertThat(live.value("openivs_live_streams", Map.of())).isEqualTo(1);
            // testsrc2 at 30 fps, published in real time.
            assertThat(live.value("openivs_stream_ingest_frames_per_second", channel))
                    .isBetween(15.0, 45.0);
            assertThat(live.value("openivs_playback_segments_served_total", Map.of()))
                    .isGreaterThanOrEqualTo(1);
            assertThat(live.value("openivs_playback_playlists_served_total", Map.of()))
                    .isGreaterThanOrEqualTo(2);
            // Latency histograms: the segment and playlists just answered, the API calls made above.
            Map<String, String> segments = Map.of("kind", "segment");
            double answered = live.value("openivs_playback_response_duration_seconds_count", segments);
            assertThat(answered).isGreaterThanOrEqualTo(1);
            assertThat(live.value(
                            "openivs_playback_response_duration_seconds_bucket",
                            Map.of("kind", "segment", "le", "+Inf")))
                    .isEqualTo(answered);
            assertThat(live.value("openivs_playback_response_duration_seconds_sum", segments))
                    .isGreaterThan(0);
            assertThat(live.value("openivs_playback_response_duration_seconds_count", Map.of("kind", "playlist")))
                    .isGreaterThanOrEqualTo(2);
            assertThat(live.value("openivs_api_request_duration_seconds_count", Map.of("operation", "CreateChannel")))
                    .isEqualTo(1);
            assertThat(live.value("openivs_api_request_duration_seconds_count", Map.of("operation", "GetChannel")))
                    .as("a refusal (404) is an answer too")
                    .isEqualTo(1);
            assertThat(live.types).containsEntry("openivs_api_request_duration_seconds", "histogram");
            assertThat(live.value("openivs_recording_upload_queue", Map.of())).isZero();
            assertThat(live.value("openivs_webhook_owed", Map.of("webhook", "0")))
                    .isGreaterThanOrEqualTo(1);
            assertThat(live.value("openivs_webhook_deliveries_total", Map.of("webhook", "0")))
                    .isZero();
            PrometheusText hooks = Publishing.await(Duration.ofSeconds(20), () -> {
                PrometheusText t = PrometheusText.parse(get(api + "/metrics").body());
                assertThat(t.value("openivs_webhook_failures_total", Map.of("webhook", "0")))
                        .isGreaterThan(0);
                return t;
            });
            assertThat(hooks.samples).noneMatch(x -> x.labels().containsValue("secret"));

            // Every openivs metric the sample dashboard queries exists.
            String dashboard = Files.readString(
                    Path.of(System.getProperty("user.dir")).getParent().resolve("docs/grafana-dashboard.json"));
            Matcher names = Pattern.compile("openivs_[a-z_]+").matcher(dashboard);
            while (names.find()) {
                assertThat(hooks.find(names.group(), Map.of()))
                        .as(names.group())
                        .isNotEmpty();
            }

            FfmpegTool.Result published = publisher.stop();
            assertThat(published.exitCode()).as(published.stderr()).isZero();
        }
    }

    @Test
    void metricsCanBeTurnedOffWhileHealthStays(@TempDir Path dir) throws Exception {
        try (TestServer node = new TestServer(dir, TestDatabases.sqlite(dir), c -> c.withMetrics(false))) {
            String api = node.endpoint().toString();
            assertThat(get(api + "/metrics").statusCode()).isEqualTo(404);
            assertThat(get(api + "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(api + "/readyz").statusCode()).isEqualTo(200);
        }
    }
}
