package io.openivs.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.openivs.server.playback.access.TestTokens;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * What a viewer of each kind of channel sees in Amazon's own web player (npm amazon-ivs-player,
 * in headless Chromium): MPEG-TS and fragmented MP4, LOW and NORMAL latency, public and private
 * (the viewer's token on the URL). Four channels cover every value of each dimension twice, played
 * side by side on one page for one 30 s window, to keep the suite short. Each player must move its
 * playback position on for at least 90 % of that window and never raise an error, PutMetadata
 * sent meanwhile must come out of the player as metadata cues (ID3 in TS, an emsg box in fMP4), and
 * getLiveLatency() must report a latency that agrees with the buffer and the cues' delay.
 */
class IvsPlayerBrowserTest {
    static final int SECONDS = 30;

    @TempDir
    Path dir;

    record Config(String name, ContainerFormat container, ChannelLatencyMode latency, boolean authorized) {}

    static final List<Config> CONFIGS = List.of(
            new Config("ts-low-public", ContainerFormat.TS, ChannelLatencyMode.LOW, false),
            new Config("ts-normal-private", ContainerFormat.TS, ChannelLatencyMode.NORMAL, true),
            new Config("fmp4-low-private", ContainerFormat.FRAGMENTED_MP4, ChannelLatencyMode.LOW, true),
            new Config("fmp4-normal-public", ContainerFormat.FRAGMENTED_MP4, ChannelLatencyMode.NORMAL, false));

    @Test
    void officialPlayerPlaysEveryChannelConfigurationWithoutStalling() throws Exception {
        String missing = IvsPlayerPage.missing();
        assumeTrue(missing == null, () -> "IVS player browser test skipped: " + missing);

        List<Process> publishers = new ArrayList<>();
        try (TestServer server = new TestServer(dir, TestDatabases.sqlite(dir));
                IvsClient ivs = server.client(TestServer.ALICE);
                IvsPlayerPage page = new IvsPlayerPage(dir.resolve("chromium-profile"))) {
            KeyPair key = TestTokens.newKeyPair();
            ivs.importPlaybackKeyPair(b -> b.publicKeyMaterial(TestTokens.publicPem(key)));
            List<String> urls = new ArrayList<>();
            List<String> arns = new ArrayList<>();
            for (Config c : CONFIGS) {
                CreateChannelResponse created = ivs.createChannel(b -> b.name(c.name())
                        .insecureIngest(true)
                        .latencyMode(c.latency())
                        .containerFormat(c.container())
                        .authorized(c.authorized()));
                publishers.add(publisher("rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/"
                        + created.streamKey().value()));
                arns.add(created.channel().arn());
                String url = created.channel().playbackUrl();
                urls.add(
                        c.authorized()
                                ? url + "?token="
                                        + TestTokens.sign(key, created.channel().arn(), 600)
                                : url);
            }
            for (String url : urls) {
                awaitPlayable(url);
            }

            page.play(urls);
            long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            while (!allStarted(page.players()) && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            List<IvsPlayerPage.Player> started = page.players();
            assertThat(started)
                    .as("players on the page; page errors %s", page.pageErrors())
                    .hasSize(CONFIGS.size());
            for (int i = 0; i < CONFIGS.size(); i++) {
                IvsPlayerPage.Player p = started.get(i);
                assertThat(started(p))
                        .as(
                                "%s started playing within 45 s: states %s, errors %s, samples %s",
                                CONFIGS.get(i).name(), p.states(), p.errors(), p.summary())
                        .isTrue();
            }
            Thread.sleep(3000); // past the start, onto the live edge
            page.reset();
            // PutMetadata every 5 s: on TS the first item of a segment comes with a PMT update, which
            // must neither stall the player nor lose the item.
            for (int second = 1; second <= SECONDS; second++) {
                if (second % 5 == 1 && second < SECONDS - 10) {
                    for (String arn : arns) {
                        ivs.putMetadata(b -> b.channelArn(arn).metadata("sent=" + System.currentTimeMillis()));
                    }
                }
                Thread.sleep(1000);
            }
            List<IvsPlayerPage.Player> players = page.players();

            assertThat(page.pageErrors()).as("loading the player package").isEmpty();
            for (int i = 0; i < CONFIGS.size(); i++) {
                IvsPlayerPage.Player p = players.get(i);
                String name = CONFIGS.get(i).name();
                System.out.printf(
                        "IVS player on %s: position advancing %.0f %% of %d s, states %s, live latency %s,"
                                + " buffer %s, low-latency mode %.0f %% of samples, metadata cues %s raised %s ms after PutMetadata%n",
                        name,
                        100 * p.advancingShare(),
                        SECONDS,
                        p.states(),
                        LatencyPage.summary(p.liveLatencies()),
                        LatencyPage.summary(p.buffers()),
                        100 * p.lowLatencyShare(),
                        p.cues(),
                        p.cueDelaysMillis());
                assertThat(p.errors()).as("%s: player errors", name).isEmpty();
                assertThat(p.samples()).as("%s: samples", name).hasSizeGreaterThanOrEqualTo(SECONDS - 3);
                assertThat(p.advancingShare())
                        .as("%s: share of the window playing; %s", name, p.summary())
                        .isGreaterThanOrEqualTo(0.9);
                assertThat(p.samples().get(p.samples().size() - 1).width())
                        .as("%s: video width", name)
                        .isEqualTo(640);
                assertThat(p.cues())
                        .as("%s: PutMetadata texts the player raised as TEXT_METADATA_CUE", name)
                        .filteredOn(t -> t.startsWith("sent="))
                        .hasSizeGreaterThanOrEqualTo(3);
                // getLiveLatency(): the server's time (the master's SERVER-TIME) minus the arrival of the
                // playing segment's first frame (its segmentmetadata stamp). Two figures measured apart
                // from it bound it: the buffer ahead of the playhead (latency is at least that, less a
                // stamp's age within its segment) and how long after PutMetadata its cue was raised
                // (PutMetadata lands at the live edge, so that delay is the latency too).
                double latency = LatencyPage.median(p.liveLatencies());
                double buffered = LatencyPage.median(p.buffers());
                double cueDelay = LatencyPage.median(
                        p.cueDelaysMillis().stream().map(ms -> ms / 1000.0).toList());
                assertThat(latency)
                        .as("%s: getLiveLatency() median (s); buffer median %.2f s", name, buffered)
                        .isGreaterThan(0.5)
                        .isBetween(buffered - 2.5, buffered + 4.0);
                assertThat(latency)
                        .as("%s: getLiveLatency() median (s) against PutMetadata-to-cue median", name)
                        .isCloseTo(cueDelay, within(2.0));
            }
        } finally {
            publishers.forEach(Process::destroy);
        }
    }

    private static boolean started(IvsPlayerPage.Player p) {
        return !p.samples().isEmpty() && p.samples().get(p.samples().size() - 1).position() > 0;
    }

    private static boolean allStarted(List<IvsPlayerPage.Player> players) {
        return players.size() == CONFIGS.size() && players.stream().allMatch(IvsPlayerBrowserTest::started);
    }

    private static void awaitPlayable(String url) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        Publishing.await(Duration.ofSeconds(20), () -> {
            try {
                return http.send(
                                                HttpRequest.newBuilder(URI.create(url))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200
                        ? true
                        : null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The tests' low-latency publisher, started directly: FfmpegTool stops a process after 60 s. */
    private static Process publisher(String url) throws java.io.IOException {
        return Publishing.startLowLatency(url, SECONDS + 120);
    }
}
