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
 * shown frame. Per target and player, {@code openivs.bench.starts} (3) starts, each a fresh page and
 * player (where a player lands inside a 2 s segment decides a start's latency for good, so one
 * start does not decide a row): the time from opening the page to the first shown frame (cold),
 * then each start's glass-to-glass median over {@code openivs.bench.seconds} (30) once the player
 * has played 8 s (warm); a row reports the median of the starts' medians and their range, what the
 * player itself reports, and the seconds the picture stood still. {@code openivs.bench.players}
 * ({@code ivs,hlsjs}) and {@code openivs.bench.targets} (names containing any of the comma-separated
 * words; all by default) narrow a run. The machine's load average and how long the server had run
 * are printed with every row, since both move the figures.
 */
class LatencyBenchmark {
    static final int SECONDS = Integer.getInteger("openivs.bench.seconds", 30);
    static final int STARTS = Integer.getInteger("openivs.bench.starts", 3);
    static final int SETTLE_SECONDS = 8;

    @TempDir
    Path dir;

    record Target(String name, String playlist) {}

    /** One start: a fresh page and player. */
    record Start(
            double startSeconds,
            List<Double> latencies,
            List<Double> reported,
            int stalled,
            int seconds,
            int unreadable,
            List<String> errors) {
        double median() {
            return LatencyPage.median(latencies);
        }
    }

    record Row(String player, String target, List<Start> starts) {
        /** Each start's median (starts that showed no frame left out). */
        List<Double> medians() {
            return starts.stream()
                    .filter(s -> !s.latencies().isEmpty())
                    .map(Start::median)
                    .toList();
        }

        List<Double> all(java.util.function.Function<Start, List<Double>> of) {
            return starts.stream().flatMap(s -> of.apply(s).stream()).toList();
        }

        int stalled() {
            return starts.stream().mapToInt(Start::stalled).sum();
        }

        int seconds() {
            return starts.stream().mapToInt(Start::seconds).sum();
        }

        List<String> errors() {
            return starts.stream().flatMap(s -> s.errors().stream()).distinct().toList();
        }
    }

    @Test
    void measure() throws Exception {
        String missing = IvsPlayerPage.missing();
        assumeTrue(missing == null, () -> "benchmark skipped: " + missing);
        String hlsMissing = LatencyPage.missing();
        assumeTrue(hlsMissing == null, () -> "benchmark skipped: " + hlsMissing);
        List<String> players =
                List.of(System.getProperty("openivs.bench.players", "ivs,hlsjs").split(","));
        String[] only = System.getProperty("openivs.bench.targets", "").split(",");
        String loadBefore = load();
        List<Row> rows = new ArrayList<>();
        try (TestServer server = new TestServer(dir, TestDatabases.sqlite(dir));
                IvsClient ivs = server.client(TestServer.ALICE)) {
            long serverStarted = System.nanoTime();
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
            targets.removeIf(t -> java.util.Arrays.stream(only)
                    .noneMatch(w -> w.isBlank() || t.name().contains(w.strip())));
            try (ClockPublisher publisher = new ClockPublisher(rtmp)) {
                long publishing = System.nanoTime();
                for (Target t : targets) {
                    awaitPlayable(t.playlist());
                }
                for (String player : players) {
                    for (Target t : targets) {
                        System.out.printf(
                                "%s on %s: server up %d s, publishing for %d s, load %s%n",
                                player,
                                t.name(),
                                (System.nanoTime() - serverStarted) / 1_000_000_000L,
                                (System.nanoTime() - publishing) / 1_000_000_000L,
                                load());
                        List<Start> starts = new ArrayList<>();
                        for (int i = 0; i < STARTS; i++) {
                            starts.add(run(player, t, i));
                            System.out.println(line(player, t.name(), i, starts.get(i)));
                        }
                        rows.add(new Row(player, t.name(), starts));
                    }
                }
                if (!publisher.alive()) {
                    throw new AssertionError("the publisher's ffmpeg ended during the run");
                }
            }
        }
        System.out.println(table(rows, loadBefore, load()));
    }

    /** The load averages (1, 5, 15 min) and the number of cores, as uptime tells them. */
    static String load() {
        try {
            String[] f =
                    java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2] + " on "
                    + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private Start run(String player, Target t, int attempt) throws Exception {
        try (IvsPlayerPage page = new IvsPlayerPage(
                dir.resolve("profile-" + player + "-" + t.name().hashCode() + "-" + attempt), "glass.html")) {
            long opened = System.currentTimeMillis();
            page.open("player=" + player + "&src=" + URLEncoder.encode(t.playlist(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + 60_000_000_000L;
            JsonNode r = page.posted();
            while (System.nanoTime() < deadline && !r.path("firstFrameAt").isNumber()) {
                Thread.sleep(250);
                r = page.posted();
            }
            if (!r.path("firstFrameAt").isNumber()) {
                return new Start(
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
            return new Start(
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

    private static String line(String player, String target, int attempt, Start s) {
        return String.format(
                "  start %d: first frame %.1f s after opening, glass-to-glass %s, player says %s,"
                        + " picture still %d of %d s, unreadable frames %d%s",
                attempt + 1,
                s.startSeconds(),
                LatencyPage.summary(s.latencies()),
                LatencyPage.summary(s.reported()),
                s.stalled(),
                s.seconds(),
                s.unreadable(),
                s.errors().isEmpty() ? "" : ", errors " + s.errors());
    }

    /**
     * One table per player: each row's median of its starts' medians, their range, the p95 of every
     * sample, and the median against nginx-rtmp's in the same player.
     */
    static String table(List<Row> rows, String loadBefore, String loadAfter) {
        StringBuilder out = new StringBuilder(String.format(
                "%nload average before %s, after %s; %d start(s) per row, %d s measured per start after %d s of play%n",
                loadBefore, loadAfter, STARTS, SECONDS, SETTLE_SECONDS));
        out.append("player | target | glass-to-glass median of starts (range) / p95 (s) | x nginx-rtmp"
                + " | player's own figure median | first frame (s) | still s / s\n");
        Map<String, Double> nginx = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.target().startsWith("nginx")) {
                nginx.put(r.player(), middle(r.medians()));
            }
        }
        for (Row r : rows) {
            List<Double> medians = r.medians();
            double median = middle(medians);
            Double anchor = nginx.get(r.player());
            out.append(String.format(
                    "%s | %s | %.2f (%.2f-%.2f) / %.2f (n=%d, %d starts) | %s | %.2f | %.1f | %d / %d%s%n",
                    r.player().equals("ivs") ? "IVS player" : "hls.js",
                    r.target(),
                    median,
                    LatencyPage.percentile(medians, 0),
                    LatencyPage.percentile(medians, 100),
                    LatencyPage.percentile(r.all(Start::latencies), 95),
                    r.all(Start::latencies).size(),
                    medians.size(),
                    anchor == null ? "n/a" : String.format("%.2fx", median / anchor),
                    LatencyPage.median(r.all(Start::reported)),
                    LatencyPage.median(r.starts().stream()
                            .map(Start::startSeconds)
                            .filter(d -> !d.isNaN())
                            .toList()),
                    r.stalled(),
                    r.seconds(),
                    r.errors().isEmpty() ? "" : " errors " + r.errors()));
        }
        return out.toString();
    }

    /** The median, the mean of the middle two for an even count (2 starts give their mean); NaN for none. */
    static double middle(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
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
