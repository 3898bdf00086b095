package io.openivs.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.PageLoadStrategy;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.RecordingConfigurationState;

/**
 * The web console in headless Chromium against a real server: a wrong key is refused, the right one signs
 * in, the channel list shows a channel ffmpeg publishes as LIVE, the channel page previews it with the
 * console's own hls.js (a public and a private channel, the private one with a token the server minted), a
 * session shows its events and ingest configuration, and a finished recording plays. Screenshots are kept
 * in {@code target/console-screenshots/}. Without a cookie the console's data is refused.
 */
class ConsoleBrowserTest {
    static final Path SHOTS = Path.of("target", "console-screenshots");
    static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void signsInListsChannelsAndPreviewsPublicAndPrivateChannels() throws Exception {
        assumeTrue(Files.isExecutable(LatencyPage.CHROMIUM) && Files.isExecutable(LatencyPage.CHROMEDRIVER));
        Files.createDirectories(SHOTS);
        try (TestServer server = new TestServer(dir, TestDatabases.sqlite(dir));
                IvsClient ivs = server.client(TestServer.ALICE)) {
            String console = "http://127.0.0.1:" + server.server().apiPort() + "/console/";
            String rc = ivs.createRecordingConfiguration(
                            b -> b.name("console-rec").destinationConfiguration(d -> d.s3(s -> s.bucketName("shows"))))
                    .recordingConfiguration()
                    .arn();
            Publishing.await(
                    LIMIT,
                    () -> ivs.getRecordingConfiguration(b -> b.arn(rc))
                                            .recordingConfiguration()
                                            .state()
                                    == RecordingConfigurationState.ACTIVE
                            ? true
                            : null);
            CreateChannelResponse open = ivs.createChannel(
                    b -> b.name("console-public").insecureIngest(true).recordingConfigurationArn(rc));
            CreateChannelResponse closed = ivs.createChannel(
                    b -> b.name("console-private").insecureIngest(true).authorized(true));
            String rtmp = "rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/";
            CompletableFuture<FfmpegTool.Result> openFeed =
                    Publishing.publish(rtmp + open.streamKey().value(), 55);
            CompletableFuture<FfmpegTool.Result> closedFeed =
                    Publishing.publish(rtmp + closed.streamKey().value(), 55);

            // Without a session the console's data is refused; its files are public.
            HttpClient http = HttpClient.newHttpClient();
            assertThat(send(
                                    http,
                                    HttpRequest.newBuilder(URI.create(console + "api/ListChannels"))
                                            .header("x-openivs-console", "1")
                                            .POST(HttpRequest.BodyPublishers.ofString("{}")))
                            .statusCode())
                    .isEqualTo(401);
            assertThat(send(
                                    http,
                                    HttpRequest.newBuilder(URI.create(console + "recordings?channelArn=x"))
                                            .header("x-openivs-console", "1"))
                            .statusCode())
                    .isEqualTo(401);
            assertThat(send(http, HttpRequest.newBuilder(URI.create(console))).statusCode())
                    .isEqualTo(200);
            // A private channel's playlist is refused without a token: the preview needs the minted one.
            assertThat(send(
                                    http,
                                    HttpRequest.newBuilder(
                                            URI.create(closed.channel().playbackUrl())))
                            .statusCode())
                    .isEqualTo(403);

            try (Browser browser = new Browser(dir.resolve("chromium-profile"))) {
                ChromeDriver page = browser.driver;
                page.get(console);
                waitFor(() -> page.findElement(By.id("sign-in")).isDisplayed());
                page.findElement(By.id("access-key-id")).sendKeys(TestServer.ALICE.accessKeyId());
                page.findElement(By.id("secret-access-key")).sendKeys("not-the-secret");
                page.findElement(By.cssSelector("#sign-in-form button")).click();
                waitFor(() -> page.findElement(By.id("sign-in-error")).getText().contains("not valid"));
                shot(page, "1-wrong-key.png");
                assertThat(page.findElement(By.id("view")).isDisplayed()).isFalse();

                page.findElement(By.id("secret-access-key")).clear();
                page.findElement(By.id("secret-access-key")).sendKeys(TestServer.ALICE.secretKey());
                page.findElement(By.cssSelector("#sign-in-form button")).click();
                // The list refreshes every 5 s: both channels show LIVE once ffmpeg's streams are up.
                waitFor(() -> text(page, "tr[data-channel-name='console-public'] td.state")
                                .equals("LIVE")
                        && text(page, "tr[data-channel-name='console-private'] td.state")
                                .equals("LIVE"));
                assertThat(text(page, "tr[data-channel-name='console-public'] td.health"))
                        .isEqualTo("HEALTHY");
                assertThat(text(page, "tr[data-channel-name='console-private']"))
                        .contains("private");
                assertThat(page.findElement(By.id("who")).getText()).contains(TestServer.ALICE.accountId());
                shot(page, "2-channels.png");
                // The secret is nowhere in the page's address or storage.
                assertThat(page.getCurrentUrl()).doesNotContain(TestServer.ALICE.secretKey());
                assertThat((String) page.executeScript("return JSON.stringify(sessionStorage) + JSON.stringify("
                                + "localStorage) + document.cookie"))
                        .doesNotContain(TestServer.ALICE.secretKey())
                        .doesNotContain("openivs_console");

                for (CreateChannelResponse ch : new CreateChannelResponse[] {open, closed}) {
                    // On a slow machine a 55 s feed may be over by now: publish it again (a new session).
                    if (ch == open && openFeed.isDone()) {
                        openFeed = Publishing.publish(rtmp + open.streamKey().value(), 55);
                    } else if (ch == closed && closedFeed.isDone()) {
                        closedFeed =
                                Publishing.publish(rtmp + closed.streamKey().value(), 55);
                    }
                    page.findElement(By.linkText(ch.channel().name())).click();
                    waitFor(() -> text(page, "#channel-state").startsWith("LIVE"));
                    double first = awaitPlaying(page);
                    waitFor(() -> currentTime(page) > first + 2);
                    assertThat(text(page, "#ingest-url")).isEqualTo(rtmpsUrl(server));
                    assertThat(page.findElement(By.id("stream-key")).getAttribute("textContent"))
                            .isEqualTo(ch.streamKey().value());
                    shot(page, "3-channel-" + ch.channel().name() + ".png");
                    assertThat(colours(page.findElement(By.id("preview"))))
                            .as("distinct colours in the preview's picture")
                            .isGreaterThan(8);
                    if (ch == closed) {
                        assertThat(text(page, "#preview-status")).contains("Playing");
                    }
                    page.get(console);
                    waitFor(() -> !page.findElements(By.cssSelector("#channel-rows tr"))
                            .isEmpty());
                }

                // A finished session: its events and ingest configuration; its recording plays.
                try {
                    ivs.stopStream(b -> b.channelArn(open.channel().arn()));
                } catch (ChannelNotBroadcastingException alreadyOver) {
                    // the feed ended on its own: the session and recording end all the same
                }
                openFeed.handle((r, e) -> r).get();
                page.findElement(By.linkText("console-public")).click();
                waitFor(() -> !page.findElements(By.cssSelector("#sessions a")).isEmpty());
                waitFor(() -> {
                    page.navigate().refresh();
                    return waitQuietly(() -> text(page, "#recordings").contains("Recording End"));
                });
                page.findElement(By.cssSelector("button.play-recording")).click();
                waitFor(() ->
                        ((Number) page.executeScript("return document.getElementById('recording-player').currentTime"))
                                        .doubleValue()
                                > 1);
                page.executeScript("document.getElementById('recording-player').scrollIntoView()");
                shot(page, "4-recording.png");
                page.findElement(By.cssSelector("#sessions a")).click();
                waitFor(() -> text(page, "#events").contains("Stream End"));
                assertThat(text(page, "#events")).contains("Session Created", "Stream Start");
                assertThat(text(page, "#ingest-configuration")).contains("avc1").contains("640");
                shot(page, "5-session.png");

                // Signing out ends the session: the data is refused again.
                page.findElement(By.id("sign-out")).click();
                waitFor(() -> page.findElement(By.id("sign-in")).isDisplayed());
                Object status = page.executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "fetch('api/ListChannels', {method: 'POST', headers: {'x-openivs-console': '1'},"
                        + " body: '{}'}).then(r => done(r.status));");
                assertThat(((Number) status).intValue()).isEqualTo(401);
            }
            closedFeed.handle((r, e) -> r);
        }
    }

    private static String rtmpsUrl(TestServer server) {
        return "rtmps://localhost:" + server.server().rtmpsPort() + "/app/";
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String text(ChromeDriver page, String css) {
        var found = page.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    private static double currentTime(ChromeDriver page) {
        Object t = page.executeScript("const v = document.getElementById('preview'); return v ? v.currentTime : -1");
        return ((Number) t).doubleValue();
    }

    /** Waits until the preview's position moves past zero; returns it. */
    private static double awaitPlaying(ChromeDriver page) throws InterruptedException {
        waitFor(() -> currentTime(page) > 0.5);
        return currentTime(page);
    }

    /** How many distinct colours (coarsely binned) the element's screenshot holds: a black box has one. */
    private static int colours(WebElement element) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(element.getScreenshotAs(OutputType.BYTES)));
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 4) {
            for (int x = 0; x < img.getWidth(); x += 4) {
                seen.add(img.getRGB(x, y) & 0xE0E0E0);
            }
        }
        return seen.size();
    }

    private static void shot(ChromeDriver page, String name) throws Exception {
        Files.write(SHOTS.resolve(name), page.getScreenshotAs(OutputType.BYTES));
    }

    private static boolean waitQuietly(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.get()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // the page is still drawing
            }
            Thread.sleep(250);
        }
        return false;
    }

    interface Check {
        boolean get() throws Exception;
    }

    private static void waitFor(Check condition) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.get()) {
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e; // an element not drawn yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("condition not met within " + LIMIT.toSeconds() + " s", last);
    }

    // STANDARD channels (BASIC ones refuse this feed's bitrate); the test server does not transcode.

    /** Headless Chromium as the other browser tests start it, 1280x1000. */
    static final class Browser implements AutoCloseable {
        final ChromeDriver driver;

        Browser(Path profile) {
            driver = LatencyPage.chromium(profile, PageLoadStrategy.NORMAL, "--window-size=1280,1000");
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        }

        @Override
        public void close() {
            driver.quit();
        }
    }
}
