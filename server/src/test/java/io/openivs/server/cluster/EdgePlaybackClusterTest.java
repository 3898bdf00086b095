package io.openivs.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.hls.LlHlsValidator;
import io.openivs.server.playback.PlaybackCounters;
import io.openivs.server.playback.access.TestTokens;
import io.openivs.server.resource.StreamSessions;
import io.openivs.server.store.ClusterNodeRow;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestServer;
import io.openivs.server.testing.ThreeNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * Three nodes on one PostgreSQL database, a real ffmpeg publishing to node 1: nodes 2 and 3 play the
 * stream anyway (edge playback), public and private, LL-HLS included, through the same playback URL;
 * 200 viewers of node 3 cost node 1 one request per object; the internal endpoint refuses anyone
 * without the cluster secret; viewer counts add up across nodes.
 */
class EdgePlaybackClusterTest {
    @TempDir
    static Path dir;

    /** What Amazon's IVS web player sends on every playlist request. */
    private static final String IVS_PLAYER_ACCEPT =
            "application/x-mpegURL, application/vnd.apple.mpegurl, application/json, text/plain";

    static ThreeNodes cluster;
    final HttpClient http = HttpClient.newBuilder().build();

    @BeforeAll
    static void start() throws Exception {
        cluster = new ThreeNodes(dir);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> bytes(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private PlaybackCounters owner() {
        return cluster.node(1).server().playbackCounters();
    }

    private String rtmp(CreateChannelResponse created) {
        return "rtmp://127.0.0.1:" + cluster.node(1).server().rtmpPort() + "/app/"
                + created.streamKey().value();
    }

    /** Waits until {@code url} answers 200 and returns the body. */
    /** A multivariant playlist without the value of its SERVER-TIME, which tells when it was answered. */
    private static String withoutServerTime(String master) {
        return master.replaceFirst("(DATA-ID=\"SERVER-TIME\",VALUE=\")[0-9.]+\"", "$1\"");
    }

    private String await200(String url) throws InterruptedException {
        return Publishing.await(Duration.ofSeconds(30), () -> {
            try {
                HttpResponse<String> r = get(url);
                assertThat(r.statusCode()).as(url + " " + r.body()).isEqualTo(200);
                return r.body();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void ffprobe(String url) throws Exception {
        FfmpegTool.Result probe =
                FfmpegTool.ffprobe("-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", url);
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(probe.stdout()).as(url).contains("h264").contains("aac");
    }

    @Test
    void everyNodeRegistersAndChannelsHaveTheSameUrlsEverywhere() throws Exception {
        long fresh = System.currentTimeMillis() - StreamSessions.STALE_MS;
        List<ClusterNodeRow> nodes = cluster.node(2).server().store().read(tx -> tx.nodes(fresh));
        assertThat(nodes)
                .extracting(ClusterNodeRow::address)
                .containsExactlyInAnyOrder(
                        "127.0.0.1:" + cluster.node(1).server().playbackPort(),
                        "127.0.0.2:" + cluster.node(2).server().playbackPort(),
                        "127.0.0.3:" + cluster.node(3).server().playbackPort());
        assertThat(nodes).extracting(ClusterNodeRow::node).doesNotHaveDuplicates();
        try (IvsClient one = cluster.node(1).client(TestServer.ALICE);
                IvsClient two = cluster.node(2).client(TestServer.ALICE);
                IvsClient three = cluster.node(3).client(TestServer.ALICE)) {
            var created = two.createChannel(b -> b.name("urls")).channel();
            for (IvsClient c : List.of(one, two, three)) {
                var got = c.getChannel(b -> b.arn(created.arn())).channel();
                assertThat(got.playbackUrl()).isEqualTo(created.playbackUrl());
                assertThat(got.ingestEndpoint()).isEqualTo(created.ingestEndpoint());
            }
        }
    }

    @Test
    void lowLatencyPlaysThroughEdgesWithOneUpstreamRequestPerObject() throws Exception {
        try (IvsClient one = cluster.node(1).client(TestServer.ALICE);
                IvsClient three = cluster.node(3).client(TestServer.ALICE)) {
            CreateChannelResponse created = one.createChannel(b -> b.name("ll")
                    .insecureIngest(true)
                    .latencyMode(ChannelLatencyMode.LOW)
                    .containerFormat(ContainerFormat.FRAGMENTED_MP4));
            String url = created.channel().playbackUrl();
            CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publishLowLatency(rtmp(created), 45);
            try {
                String onOwner = cluster.via(1, url);
                String master = await200(onOwner);
                // Node 3 relays it: the same multivariant playlist (a new stream reaches the edges within a second).
                String edge = cluster.via(3, url);
                assertThat(withoutServerTime(await200(edge))).isEqualTo(withoutServerTime(master));
                String mediaPath = master.lines()
                        .filter(l -> l.endsWith(".m3u8"))
                        .findFirst()
                        .orElseThrow();
                String media = URI.create(edge).resolve(mediaPath).toString();

                // EXT-X-START for the IVS player's Accept only, through the edge as on the owner (which the edge asks).
                String onOwnerMedia = URI.create(onOwner).resolve(mediaPath).toString();
                for (String u : List.of(media, onOwnerMedia)) {
                    HttpResponse<String> ivs = get(u, "Accept", IVS_PLAYER_ACCEPT);
                    HttpResponse<String> hlsJs = get(u, "Accept", "*/*");
                    assertThat(ivs.body()).as(u).contains("#EXT-X-PART:").contains("#EXT-X-START:");
                    assertThat(hlsJs.body()).as(u).contains("#EXT-X-PART:").doesNotContain("#EXT-X-START:");
                    assertThat(ivs.headers().allValues("Vary")).as(u).containsExactly("Accept");
                    assertThat(hlsJs.headers().allValues("Vary")).as(u).containsExactly("Accept");
                }

                // The internal endpoint: nothing without the cluster secret.
                String internal = "http://127.0.0.1:" + cluster.node(1).server().playbackPort() + "/_cluster"
                        + URI.create(onOwner).getPath();
                HttpResponse<String> none = get(internal);
                assertThat(none.statusCode()).isEqualTo(403);
                assertThat(none.body()).isEmpty();
                HttpResponse<String> wrong = get(internal, "X-Openivs-Cluster", "not-the-secret");
                assertThat(wrong.statusCode()).isEqualTo(403);
                assertThat(wrong.body()).isEmpty();
                String secret = ClusterMembership.secret(
                        cluster.node(1).server().store(),
                        cluster.node(1).server().config(),
                        Clock.systemUTC());
                assertThat(withoutServerTime(
                                get(internal, "X-Openivs-Cluster", secret).body()))
                        .isEqualTo(withoutServerTime(master));

                // 200 viewers of node 3 at once: a blocking reload for the hinted part, the hinted part itself,
                // and the newest finished segment. Node 1 answers each object once.
                LlHlsValidator validator = new LlHlsValidator();
                LlHlsValidator.Playlist latest = validator.check(await200(media));
                long[] hint = latest.hinted();
                String reload = media + "?_HLS_msn=" + hint[0] + "&_HLS_part=" + hint[1];
                String part = URI.create(media).resolve(latest.preloadHint()).toString();
                String segment =
                        URI.create(media).resolve(latest.lastMsn() + ".m4s").toString();
                long playlistsBefore = owner().servedToEdges("playlist");
                long partsBefore = owner().servedToEdges("part");
                long segmentsBefore = owner().servedToEdges("segment");
                List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    for (String u : List.of(reload, part, segment)) {
                        answers.add(http.sendAsync(
                                HttpRequest.newBuilder(URI.create(u))
                                        .timeout(Duration.ofSeconds(60))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray()));
                    }
                }
                CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                        .join();
                assertThat(owner().servedToEdges("playlist") - playlistsBefore).isEqualTo(1);
                assertThat(owner().servedToEdges("part") - partsBefore).isEqualTo(1);
                assertThat(owner().servedToEdges("segment") - segmentsBefore).isEqualTo(1);
                // Every viewer got the same whole answer, equal to what the owner serves.
                for (int k = 0; k < 3; k++) {
                    byte[] first = answers.get(k).join().body();
                    for (int i = k; i < answers.size(); i += 3) {
                        HttpResponse<byte[]> r = answers.get(i).join();
                        assertThat(r.statusCode()).isEqualTo(200);
                        assertThat(Arrays.equals(r.body(), first)).isTrue();
                    }
                }
                String reloaded = new String(answers.get(0).join().body(), StandardCharsets.UTF_8);
                LlHlsValidator.Playlist p = validator.check(reloaded);
                assertThat(p.allParts().stream().anyMatch(x -> x.msn() == hint[0] && x.index() == hint[1])
                                || p.lastMsn() >= hint[0])
                        .isTrue();
                byte[] partBytes = answers.get(1).join().body();
                assertThat(new String(partBytes, 4, 4, StandardCharsets.US_ASCII))
                        .isIn("moof", "emsg");
                assertThat(partBytes).isEqualTo(bytes(cluster.via(1, part)).body());
                assertThat(answers.get(2).join().body())
                        .isEqualTo(bytes(cluster.via(1, segment)).body());
                assertThat(answers.get(2).join().headers().firstValue("Cache-Control"))
                        .hasValue("public, max-age=31536000, immutable");

                // Node 1's metrics count what the edges asked of it.
                String metrics = get("http://127.0.0.1:"
                                + cluster.node(1).server().apiPort() + "/metrics")
                        .body();
                assertThat(metrics).containsPattern("openivs_cluster_served_to_edges_total\\{kind=\"part\"} [1-9]");
                assertThat(get("http://127.0.0.3:" + cluster.node(3).server().apiPort() + "/metrics")
                                .body())
                        .containsPattern("openivs_cluster_edge_fetches_total [1-9]");

                // Players: ffprobe through node 2 and node 3.
                ffprobe(cluster.via(2, url));
                ffprobe(edge);

                // Viewer counts add up: 127.0.0.1 watched on node 1 and on node 3 (edges report at their heartbeat).
                await200(onOwner);
                String arn = created.channel().arn();
                Publishing.await(Duration.ofSeconds(30), () -> {
                    long n = three.getStream(b -> b.channelArn(arn)).stream().viewerCount();
                    assertThat(n).isEqualTo(3); // node 1, node 2 (ffprobe) and node 3, one address each
                    return n;
                });
            } finally {
                ffmpeg.cancel(true);
            }
        }
    }

    @Test
    void privateChannelChecksTokensOnTheEdge() throws Exception {
        try (IvsClient one = cluster.node(1).client(TestServer.ALICE)) {
            KeyPair key = TestTokens.newKeyPair();
            one.importPlaybackKeyPair(r -> r.publicKeyMaterial(TestTokens.publicPem(key)));
            CreateChannelResponse created = one.createChannel(
                    b -> b.name("private").insecureIngest(true).authorized(true));
            String arn = created.channel().arn();
            String url = created.channel().playbackUrl();
            CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publish(rtmp(created), 40);
            try {
                await200(cluster.via(1, url) + "?token=" + TestTokens.sign(key, arn, 300));
                // No token: refused on the edge as on the owner.
                assertThat(get(cluster.via(3, url)).statusCode()).isEqualTo(403);
                assertThat(get(cluster.via(1, url)).statusCode()).isEqualTo(403);
                // A token plays through both edges (its ticket written into the relayed playlists).
                String token = TestTokens.sign(key, arn, 300);
                ffprobe(cluster.via(2, url) + "?token=" + token);
                ffprobe(cluster.via(3, url) + "?token=" + token);
                // A single-use token is spent once, on the edge the viewer reached; the relay does not spend it again.
                String once = TestTokens.sign(
                        key,
                        arn,
                        300,
                        c -> c.claim(
                                "aws:single-use-uuid",
                                java.util.UUID.randomUUID().toString()));
                HttpResponse<String> first = get(cluster.via(3, url) + "?token=" + once);
                assertThat(first.statusCode()).isEqualTo(200);
                String mediaUrl = URI.create(cluster.via(3, url))
                        .resolve(first.body()
                                .lines()
                                .filter(l -> l.contains(".m3u8"))
                                .findFirst()
                                .orElseThrow())
                        .toString();
                assertThat(mediaUrl).contains("ticket=");
                HttpResponse<String> media = get(mediaUrl);
                assertThat(media.statusCode()).isEqualTo(200);
                String segment = media.body()
                        .lines()
                        .filter(l -> !l.startsWith("#") && !l.isBlank())
                        .reduce((a, b) -> b)
                        .orElseThrow();
                assertThat(segment).contains("ticket=");
                assertThat(bytes(URI.create(mediaUrl).resolve(segment).toString())
                                .statusCode())
                        .isEqualTo(200);
                assertThat(get(cluster.via(2, url) + "?token=" + once).statusCode())
                        .isEqualTo(403);
                // A segment without its ticket: refused on the edge before any relaying.
                String bare = URI.create(mediaUrl)
                        .resolve(segment.substring(0, segment.indexOf('?')))
                        .toString();
                assertThat(get(bare).statusCode()).isEqualTo(403);
            } finally {
                ffmpeg.cancel(true);
            }
        }
    }
}
