package io.openivs.server.browser;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * The benchmark behind bench/latency (not part of the suite: its name does not end in Test; run
 * it with bench/latency/run.sh). Glass-to-glass latency: one {@link ClockPublisher} draws the wall
 * clock into its pictures and sends the same encoded stream to four openivs channels (TS and fMP4,
 * LOW and NORMAL) and, when {@code openivs.bench.nginx.rtmp} and {@code openivs.bench.nginx.hls}
 * are set, to nginx with its RTMP module; then each player (Amazon's IVS web player, hls.js) plays
 * each target in turn in headless Chromium (glass.html), which reads the time back from every
 * shown frame. Per target and player: the time from opening the page to the first shown frame
 * (cold), then glass-to-glass latency over {@code openivs.bench.seconds} (30) once the player has
 * played 8 s (warm), what the player itself reports, and the seconds the picture stood still.
 */
class LatencyBenchmark {
    static final int SECONDS = Integer.getInteger("openivs.bench.seconds", 30);
    static final int SETTLE_SECONDS = 8;

    @TempDir
    Path dir;

    record Target(String name, String playlist) {}

    record Row(
            String player,
            String target,
            double startSeconds,
            List<Double> latencies,
            List<Double> reported,
            int stalled,
            int seconds,
            int unreadable,
            List<String> errors) {}

    @Test
    void measure() throws Exception {
        String missing = IvsPlayerPage.missing();
        assumeTrue(missing == null, () -> "benchmark skipped: " + missing);
        String hlsMissing = LatencyPage.missing();
        assumeTrue(hlsMissing == null, () -> "benchmark skipped: " + hlsMissing);
        List<Row> rows = new ArrayList<>();
        try (TestServer server = new TestServer(dir, TestDatabases.sqlite(dir));
                IvsClient ivs = server.client(TestServer.ALICE)) {
            List<String> rtmp = new ArrayList<>();
            List<Target> targets = new ArrayList<>();
            for (ChannelLatencyMode mode : List.of(ChannelLatencyMode.LOW, ChannelLatencyMode.NORMAL)) {
                for (ContainerFormat container : List.of(ContainerFormat.TS, ContainerFormat.FRAGMENTED_MP4)) {
                    CreateChannelResponse created = ivs.createChannel(b -> b.name("bench-" + mode + "-" + container)
                            .insecureIngest(true)
                            .latencyMode(mode)
                            .containerFormat(container));
                    rtmp.add("rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/"
                            + created.streamKey().value());
                    targets.add(new Target(
                            "openivs " + mode + " " + (container == ContainerFormat.TS ? "TS" : "fMP4"),
                            created.channel().playbackUrl()));
                }
            }
            String nginxRtmp = System.getProperty("openivs.bench.nginx.rtmp");
            String nginxHls = System.getProperty("openivs.bench.nginx.hls");
            if (nginxRtmp != null && nginxHls != null) {
                rtmp.add(nginxRtmp);
                targets.add(new Target("nginx-rtmp (2 s fragments)", nginxHls));
            }
            try (ClockPublisher publisher = new ClockPublisher(rtmp)) {
                for (Target t : targets) {
                    awaitPlayable(t.playlist());
                }
                for (String player : List.of("ivs", "hlsjs")) {
                    for (Target t : targets) {
                        rows.add(run(player, t));
                        System.out.println(line(rows.get(rows.size() - 1)));
                    }
                }
                if (!publisher.alive()) {
                    throw new AssertionError("the publisher's ffmpeg ended during the run");
                }
            }
        }
        System.out.println(table(rows));
    }

    private Row run(String player, Target t) throws Exception {
        try (IvsPlayerPage page = new IvsPlayerPage(
                dir.resolve("profile-" + player + "-" + t.name().hashCode()), "glass.html")) {
            long opened = System.currentTimeMillis();
            page.open("player=" + player + "&src=" + URLEncoder.encode(t.playlist(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + 60_000_000_000L;
            JsonNode r = page.posted();
            while (System.nanoTime() < deadline && !r.path("firstFrameAt").isNumber()) {
                Thread.sleep(250);
                r = page.posted();
            }
            if (!r.path("firstFrameAt").isNumber()) {
                return new Row(
                        player,
                        t.name(),
                        Double.NaN,
                        List.of(),
                        List.of(),
                        0,
                        0,
                        r.path("unreadable").asInt(),
                        strings(r.path("errors")));
            }
            double start = (r.path("firstFrameAt").asLong() - opened) / 1000.0;
            Thread.sleep(SETTLE_SECONDS * 1000L);
            long since = System.currentTimeMillis();
            int stalledBefore = page.posted().path("stalledSeconds").asInt();
            int secondsBefore = page.posted().path("seconds").asInt();
            Thread.sleep(SECONDS * 1000L + 1500);
            r = page.posted();
            List<Double> latencies = new ArrayList<>();
            List<Double> reported = new ArrayList<>();
            for (JsonNode s : r.path("samples")) {
                if (s.path("at").asLong() >= since) {
                    latencies.add(s.path("latency").asDouble());
                    if (s.path("reported").isNumber()) {
                        reported.add(s.path("reported").asDouble());
                    }
                }
            }
            return new Row(
                    player,
                    t.name(),
                    start,
                    latencies,
                    reported,
                    r.path("stalledSeconds").asInt() - stalledBefore,
                    r.path("seconds").asInt() - secondsBefore,
                    r.path("unreadable").asInt(),
                    strings(r.path("errors")));
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }

    private static String line(Row r) {
        return String.format(
                "%s on %s: first frame %.1f s after opening, glass-to-glass %s, player says %s,"
                        + " picture still %d of %d s, unreadable frames %d%s",
                r.player(),
                r.target(),
                r.startSeconds(),
                LatencyPage.summary(r.latencies()),
                LatencyPage.summary(r.reported()),
                r.stalled(),
                r.seconds(),
                r.unreadable(),
                r.errors().isEmpty() ? "" : ", errors " + r.errors());
    }

    /** One table per player, each row's median against nginx-rtmp's in the same player. */
    static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder(
                "\nplayer | target | glass-to-glass median / p95 (s) | x nginx-rtmp | player's own figure median"
                        + " | first frame (s) | still s / s\n");
        Map<String, Double> nginx = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.target().startsWith("nginx")) {
                nginx.put(r.player(), LatencyPage.median(r.latencies()));
            }
        }
        for (Row r : rows) {
            double median = LatencyPage.median(r.latencies());
            Double anchor = nginx.get(r.player());
            out.append(String.format(
                    "%s | %s | %.2f / %.2f (n=%d) | %s | %.2f | %.1f | %d / %d%s%n",
                    r.player().equals("ivs") ? "IVS player" : "hls.js",
                    r.target(),
                    median,
                    LatencyPage.percentile(r.latencies(), 95),
                    r.latencies().size(),
                    anchor == null ? "n/a" : String.format("%.2fx", median / anchor),
                    LatencyPage.median(r.reported()),
                    r.startSeconds(),
                    r.stalled(),
                    r.seconds(),
                    r.errors().isEmpty() ? "" : " errors " + r.errors()));
        }
        return out.toString();
    }

    private static void awaitPlayable(String url) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("#EXT")) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not playable within 30 s: " + url);
    }
}
