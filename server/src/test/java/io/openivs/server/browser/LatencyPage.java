package io.openivs.server.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.PageLoadStrategy;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium, driven by its chromedriver, playing a stream with hls.js on a page
 * this class serves itself (latency.html beside hls.min.js), and what that page reported.
 *
 * <p>hls.js is code from elsewhere and is never committed: it is read from {@code $OPENIVS_HLSJS}
 * (the path of hls.min.js; {@code .ci/run} sets it), or fetched with npm into
 * {@code target/hlsjs/} the first time.
 */
final class LatencyPage implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer pages;
    private final ChromeDriver driver;
    /** The page served and played: latency.html, or another of src/test/resources/browser. */
    private final String pageName;
    /** The page's latest post to /report. */
    private volatile String posted = "{}";
    /** Records from before this (epoch ms) are left out: see {@link #reset}. */
    private volatile long since;

    /** One second's figures: seconds behind the playlist's live edge, and wall clock minus the playing date. */
    /**
     * @param at       the page's clock (epoch ms) when taken
     * @param position the video's currentTime then
     */
    record Sample(long at, double latency, Double arrivalToDisplay, double position) {}

    /** Everything the page kept: per-second samples and, per PutMetadata call, seconds until parsed and until its cue. */
    /** @param videoWidth the playing video's width, 0 while none shows (e.g. an audio-only variant plays) */
    record Report(
            List<Sample> samples,
            List<Double> parsedSeconds,
            List<Double> cueSeconds,
            List<String> errors,
            int videoWidth) {
        /**
         * Share of the seconds in {@code [from, from + seconds)} (epoch ms, seconds) whose two ends both have a
         * sample (the page samples each second while the video plays) with the position moved on by at least
         * half the time between them: a paused or stalled second does not count.
         */
        double advancingShare(long from, int seconds) {
            int advancing = 0;
            for (int i = 1; i < samples.size(); i++) {
                Sample a = samples.get(i - 1);
                Sample b = samples.get(i);
                if (a.at() >= from
                        && b.at() < from + seconds * 1000L
                        && b.position() - a.position() >= 0.5 * (b.at() - a.at()) / 1000.0) {
                    advancing++;
                }
            }
            return (double) advancing / seconds;
        }

        List<Double> latencies() {
            return samples.stream().map(Sample::latency).toList();
        }

        List<Double> arrivalToDisplay() {
            return samples.stream()
                    .map(Sample::arrivalToDisplay)
                    .filter(java.util.Objects::nonNull)
                    .toList();
        }
    }

    /** Why the browser test cannot run here, or null when Chromium, chromedriver and hls.js are all at hand. */
    static String missing() {
        if (!Files.isExecutable(CHROMIUM)) {
            return CHROMIUM + " is not installed (apt-get install chromium chromium-driver; .ci/run does it)";
        }
        if (!Files.isExecutable(CHROMEDRIVER)) {
            return CHROMEDRIVER + " is not installed (apt-get install chromium-driver; .ci/run does it)";
        }
        return hlsJs() == null
                ? "hls.js could not be obtained (set OPENIVS_HLSJS to hls.min.js, or install npm)"
                : null;
    }

    /** hls.min.js from OPENIVS_HLSJS, target/hlsjs, or npm into target/hlsjs; null if none of them works. */
    static synchronized Path hlsJs() {
        String configured = System.getenv("OPENIVS_HLSJS");
        if (configured != null && Files.isRegularFile(Path.of(configured))) {
            return Path.of(configured);
        }
        Path dir = Path.of("target", "hlsjs").toAbsolutePath();
        Path js = dir.resolve("package/dist/hls.min.js");
        if (Files.isRegularFile(js)) {
            return js;
        }
        try {
            Files.createDirectories(dir);
            if (run(dir, "npm", "pack", "--silent", "hls.js@1") != 0) {
                return null;
            }
            try (var tgz = Files.list(dir)) {
                Path archive = tgz.filter(p -> p.getFileName().toString().endsWith(".tgz"))
                        .findFirst()
                        .orElse(null);
                if (archive == null || run(dir, "tar", "-xzf", archive.toString()) != 0) {
                    return null;
                }
            }
            return Files.isRegularFile(js) ? js : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    LatencyPage(Path profileDir) throws IOException {
        this(profileDir, "latency.html");
    }

    /** @param pageName a page of src/test/resources/browser that posts its report to /report as latency.html does */
    LatencyPage(Path profileDir, String pageName) throws IOException {
        this.pageName = pageName;
        byte[] page;
        try (InputStream in = LatencyPage.class.getResourceAsStream("/browser/" + pageName)) {
            page = in.readAllBytes();
        }
        byte[] hls = Files.readAllBytes(hlsJs());
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/report", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                posted = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        pages.createContext("/", exchange -> {
            boolean script = exchange.getRequestURI().getPath().endsWith("/hls.min.js");
            byte[] body = script ? hls : page;
            exchange.getResponseHeaders().set("Content-Type", script ? "text/javascript" : "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        pages.start();

        try {
            driver = chromium(profileDir, PageLoadStrategy.NONE);
        } catch (RuntimeException e) {
            pages.stop(0);
            throw e;
        }
    }

    /**
     * Headless Chromium as every browser test starts it, its profile in {@code profile}; {@code extra}
     * arguments after the common ones (a window size, say).
     */
    static ChromeDriver chromium(Path profile, PageLoadStrategy loading, String... extra) {
        ChromeOptions options = new ChromeOptions();
        options.setPageLoadStrategy(loading);
        options.setBinary(CHROMIUM.toFile());
        // Without the background-networking flags Chromium stalls on a machine with no outside network.
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--autoplay-policy=no-user-gesture-required",
                "--user-data-dir=" + profile.toAbsolutePath());
        options.addArguments(extra);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /** Starts playing {@code playlist}; the page samples once a second from the moment playback starts. */
    void play(String playlist) {
        driver.get("http://127.0.0.1:" + pages.getAddress().getPort() + "/" + pageName + "?src="
                + URLEncoder.encode(playlist, StandardCharsets.UTF_8));
    }

    /** Waits until the page has taken its first sample (the video is playing), or the limit passes. */
    boolean awaitPlaying(Duration limit) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!report().samples().isEmpty()) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** Forgets what the page recorded so far, so what follows is measured on a player already running. */
    void reset() {
        since = System.currentTimeMillis();
    }

    /** The page's last post, parsed: for pages that report more than latency.html. */
    JsonNode posted() throws IOException {
        return JSON.readTree(posted);
    }

    /** The page's last post as it came, for failure messages. */
    String raw() {
        return posted.length() > 2000 ? posted.substring(0, 2000) : posted;
    }

    /** What the page posted last (it posts each second), from the last {@link #reset} on. */
    Report report() throws IOException {
        JsonNode r = JSON.readTree(posted);
        List<Sample> samples = new ArrayList<>();
        r.path("samples").forEach(s -> {
            if (s.path("at").asLong() >= since) {
                JsonNode a2d = s.path("arrivalToDisplay");
                samples.add(new Sample(
                        s.path("at").asLong(),
                        s.path("latency").asDouble(),
                        a2d.isNumber() ? a2d.asDouble() : null,
                        s.path("position").asDouble()));
            }
        });
        List<String> errors = new ArrayList<>();
        r.path("errors").forEach(e -> errors.add(e.asText()));
        return new Report(
                samples,
                delays(r.path("parsed")),
                delays(r.path("cues")),
                errors,
                r.path("state").path("videoWidth").asInt());
    }

    private List<Double> delays(JsonNode events) {
        List<Double> out = new ArrayList<>();
        events.forEach(e -> {
            if (e.path("sent").asLong() >= since) {
                out.add((e.path("at").asLong() - e.path("sent").asLong()) / 1000.0);
            }
        });
        return out;
    }

    static double median(List<Double> values) {
        return percentile(values, 50);
    }

    /** Nearest-rank percentile; NaN for no values. */
    static double percentile(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    static String summary(List<Double> values) {
        return String.format("median %.2f s, p95 %.2f s (n=%d)", median(values), percentile(values, 95), values.size());
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            pages.stop(0);
        }
    }
}
