package io.openivs.server.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openqa.selenium.PageLoadStrategy;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Debian's headless Chromium playing streams with Amazon's IVS web player (npm
 * {@code amazon-ivs-player}), one player per stream on one page (ivs-player.html), and what each
 * player reported.
 *
 * <p>The player is code from elsewhere and never committed: it is read from
 * {@code $OPENIVS_IVS_PLAYER_DIR} (a directory holding {@code node_modules/amazon-ivs-player} and its
 * dependencies; {@code .ci/run} fills it), or installed with npm into {@code target/ivs-player/} the
 * first time. The package is CommonJS meant for a bundler; the page loads it module by module
 * from {@code node_modules/}, and the player's wasm worker and binary from the package's assets.
 */
final class IvsPlayerPage implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PACKAGE = "node_modules/amazon-ivs-player/dist/index.js";

    private final Path modules;
    private final String pageName;
    private final HttpServer pages;
    private final ChromeDriver driver;
    private volatile String posted = "{}";
    private volatile long since;

    /**
     * One second of one player: its position (s), state, getLiveLatency() (s), the video's width,
     * getBufferDuration() (s) and isLiveLowLatency() (whether it plays in its low-latency mode).
     */
    record Sample(
            long at,
            double position,
            String state,
            double liveLatency,
            int width,
            double buffered,
            boolean lowLatency) {}

    /**
     * What one player went through: its samples since {@link #reset}, states entered, errors raised,
     * and the texts of the TEXT_METADATA_CUE events it raised since {@link #reset}, with the page's
     * clock (ms) when each came.
     */
    record Player(
            String src,
            List<Sample> samples,
            List<String> states,
            List<String> errors,
            List<String> cues,
            List<Long> cueTimes) {
        /** For each cue whose text is {@code sent=<epoch ms>}: ms from that moment until the player raised it. */
        List<Long> cueDelaysMillis() {
            List<Long> delays = new ArrayList<>();
            for (int i = 0; i < cues.size(); i++) {
                if (cues.get(i).startsWith("sent=")) {
                    delays.add(cueTimes.get(i) - Long.parseLong(cues.get(i).substring(5)));
                }
            }
            return delays;
        }

        /** Share of consecutive sample pairs over which the position moved on by at least half the time between them. */
        double advancingShare() {
            int pairs = 0;
            int advancing = 0;
            for (int i = 1; i < samples.size(); i++) {
                Sample a = samples.get(i - 1);
                Sample b = samples.get(i);
                pairs++;
                if (b.position() - a.position() >= 0.5 * (b.at() - a.at()) / 1000.0) {
                    advancing++;
                }
            }
            return pairs == 0 ? 0 : (double) advancing / pairs;
        }

        List<Double> liveLatencies() {
            return samples.stream().map(Sample::liveLatency).toList();
        }

        List<Double> buffers() {
            return samples.stream().map(Sample::buffered).toList();
        }

        /** Share of samples in which the player said it plays in low-latency mode. */
        double lowLatencyShare() {
            return samples.isEmpty()
                    ? 0
                    : samples.stream().filter(Sample::lowLatency).count() / (double) samples.size();
        }

        String summary() {
            return samples.stream()
                    .map(s -> String.format("%.1f/%s", s.position(), s.state()))
                    .collect(Collectors.joining(" "));
        }
    }

    /** Why the test cannot run here, or null when Chromium, chromedriver and the player package are at hand. */
    static String missing() {
        if (!Files.isExecutable(LatencyPage.CHROMIUM) || !Files.isExecutable(LatencyPage.CHROMEDRIVER)) {
            return "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver; .ci/run does it)";
        }
        return playerDir() == null
                ? "amazon-ivs-player could not be obtained (set OPENIVS_IVS_PLAYER_DIR, or install npm)"
                : null;
    }

    /** The directory holding node_modules/amazon-ivs-player, from OPENIVS_IVS_PLAYER_DIR or npm; null if neither works. */
    static synchronized Path playerDir() {
        String configured = System.getenv("OPENIVS_IVS_PLAYER_DIR");
        if (configured != null && Files.isRegularFile(Path.of(configured, PACKAGE))) {
            return Path.of(configured);
        }
        Path dir = Path.of("target", "ivs-player").toAbsolutePath();
        if (Files.isRegularFile(dir.resolve(PACKAGE))) {
            return dir;
        }
        try {
            Files.createDirectories(dir);
            // The package requires Node's "events" as if a bundler supplied it.
            // --prefix: else npm installs into the nearest directory above that has node_modules or package.json.
            int exit = run(
                    dir,
                    "npm",
                    "install",
                    "--silent",
                    "--prefix",
                    dir.toString(),
                    "--no-save",
                    "--no-package-lock",
                    "--no-audit",
                    "--no-fund",
                    "--omit=dev",
                    "amazon-ivs-player@1",
                    "events@3");
            return exit == 0 && Files.isRegularFile(dir.resolve(PACKAGE)) ? dir : null;
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
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    IvsPlayerPage(Path profileDir) throws IOException {
        this(profileDir, "ivs-player.html");
    }

    /**
     * @param pageName the page {@link #play} opens: a file of src/test/resources/browser, which (like
     *     every other file there, and hls.min.js when {@link LatencyPage#hlsJs} finds it) is served
     *     by name, and which posts its report to /report
     */
    IvsPlayerPage(Path profileDir, String pageName) throws IOException {
        this.pageName = pageName;
        modules = playerDir().resolve("node_modules").toRealPath();
        Path hls = LatencyPage.hlsJs();
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/report", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                posted = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        pages.createContext("/node_modules/", this::module);
        pages.createContext("/", exchange -> resource(exchange, hls));
        pages.start();

        try {
            driver = LatencyPage.chromium(profileDir, PageLoadStrategy.NONE);
        } catch (RuntimeException e) {
            pages.stop(0);
            throw e;
        }
    }

    /** A file under node_modules/, or 404 (the page's require() tries candidates and needs the 404s). */
    private void module(HttpExchange exchange) throws IOException {
        Path file = modules.resolve(exchange.getRequestURI().getPath().substring("/node_modules/".length()))
                .normalize();
        if (!file.startsWith(modules) || !Files.isRegularFile(file)) {
            send(exchange, 404, "text/plain", new byte[0]);
            return;
        }
        String name = file.getFileName().toString();
        String type = name.endsWith(".wasm")
                ? "application/wasm"
                : name.endsWith(".json") ? "application/json" : "text/javascript";
        send(exchange, 200, type, Files.readAllBytes(file));
    }

    /** A file of src/test/resources/browser by its name, or hls.min.js, or 404. */
    private static void resource(HttpExchange exchange, Path hls) throws IOException {
        String name = exchange.getRequestURI().getPath().substring(1);
        if (name.equals("hls.min.js") && hls != null) {
            send(exchange, 200, "text/javascript", Files.readAllBytes(hls));
            return;
        }
        byte[] body = null;
        if (name.matches("[a-z0-9-]+\\.(html|js)")) {
            try (InputStream in = IvsPlayerPage.class.getResourceAsStream("/browser/" + name)) {
                body = in == null ? null : in.readAllBytes();
            }
        }
        if (body == null) {
            send(exchange, 404, "text/plain", new byte[0]);
        } else {
            send(exchange, 200, name.endsWith(".js") ? "text/javascript" : "text/html; charset=utf-8", body);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Starts one player per playlist URL; each page second samples every player. */
    void play(List<String> playlists) {
        open(playlists.stream()
                .map(p -> "src=" + URLEncoder.encode(p, StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
    }

    /** Opens the page with {@code query} (already encoded). */
    void open(String query) {
        driver.get("http://127.0.0.1:" + pages.getAddress().getPort() + "/" + pageName + "?" + query);
    }

    /** The page's last post, parsed: for pages that report more than ivs-player.html. */
    JsonNode posted() throws IOException {
        return JSON.readTree(posted);
    }

    /** Forgets samples taken so far, so what follows is measured on players already running. */
    void reset() {
        since = System.currentTimeMillis();
    }

    /** Errors of the page itself (loading the package), as it last posted them. */
    List<String> pageErrors() throws IOException {
        List<String> errors = new ArrayList<>();
        JSON.readTree(posted).path("errors").forEach(e -> errors.add(e.asText()));
        return errors;
    }

    /** Each player's record as the page last posted it (each second), samples from the last {@link #reset} on. */
    List<Player> players() throws IOException {
        List<Player> out = new ArrayList<>();
        for (JsonNode p : JSON.readTree(posted).path("players")) {
            List<Sample> samples = new ArrayList<>();
            p.path("samples").forEach(s -> {
                if (s.path("at").asLong() >= since) {
                    samples.add(new Sample(
                            s.path("at").asLong(),
                            s.path("position").asDouble(),
                            s.path("state").asText(),
                            s.path("liveLatency").asDouble(),
                            s.path("width").asInt(),
                            s.path("buffered").asDouble(),
                            s.path("lowLatency").asBoolean()));
                }
            });
            List<String> states = new ArrayList<>();
            p.path("states").forEach(s -> states.add(s.path("state").asText()));
            List<String> errors = new ArrayList<>();
            p.path("errors").forEach(e -> errors.add(e.asText()));
            List<String> cues = new ArrayList<>();
            List<Long> cueTimes = new ArrayList<>();
            p.path("cues").forEach(c -> {
                if (c.path("at").asLong() >= since) {
                    cues.add(c.path("text").asText());
                    cueTimes.add(c.path("at").asLong());
                }
            });
            out.add(new Player(p.path("src").asText(), samples, states, errors, cues, cueTimes));
        }
        return out;
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
