package io.openivs.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.config.ServerConfig;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestCa;
import io.openivs.server.testing.TestServer;
import io.openivs.server.testing.ThreeNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * Nodes serving HTTPS (a private CA's certificate for the public host, as the operator gives every node):
 * an edge relays over HTTPS after checking the owner's certificate against the authorities of its own chain
 * and the public host's name. Node 3 is misconfigured with another public host: the owner's certificate does
 * not name it, so node 3 sends the owner nothing (the cluster secret included) and its viewers get 503.
 */
class EdgeTlsClusterTest {
    @TempDir
    Path dir;

    @Test
    void anEdgeRelaysOverHttpsOnlyFromAPeerWhoseCertificateNamesThePublicHost() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"));
        TestCa.Issued cert =
                ca.issue("node", 7, TestCa.KeyFormat.EC_PKCS8, "DNS:localhost,IP:127.0.0.1,IP:127.0.0.2,IP:127.0.0.3");
        ServerConfig.Tls tls = new ServerConfig.Tls(cert.chain(), cert.key());
        try (ThreeNodes cluster = new ThreeNodes(dir, i -> i == 3 ? "elsewhere.invalid" : null, i -> tls)) {
            HttpClient http =
                    HttpClient.newBuilder().sslContext(ca.clientContext()).build();
            try (IvsClient one = cluster.node(1).client(TestServer.ALICE, ca.trustManager())) {
                CreateChannelResponse created =
                        one.createChannel(b -> b.name("tls-edge").insecureIngest(true));
                String url = created.channel().playbackUrl();
                assertThat(url).startsWith("https://");
                CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publish(
                        "rtmp://127.0.0.1:" + cluster.node(1).server().rtmpPort() + "/app/"
                                + created.streamKey().value(),
                        40);
                try {
                    // Node 2 relays over HTTPS: the master playlist, a media playlist and a segment.
                    String master = Publishing.await(Duration.ofSeconds(40), () -> {
                        HttpResponse<String> r = get(http, cluster.via(2, url));
                        return r.statusCode() == 200 ? r.body() : null;
                    });
                    URI media = URI.create(cluster.via(2, url))
                            .resolve(master.lines()
                                    .filter(l -> l.endsWith(".m3u8"))
                                    .findFirst()
                                    .orElseThrow());
                    String playlist = Publishing.await(Duration.ofSeconds(30), () -> {
                        HttpResponse<String> r = get(http, media.toString());
                        return r.statusCode() == 200 && r.body().contains(".ts") ? r.body() : null;
                    });
                    String segment = playlist.lines()
                            .filter(l -> !l.startsWith("#") && l.endsWith(".ts"))
                            .reduce((a, b) -> b)
                            .orElseThrow();
                    HttpResponse<byte[]> bytes = http.send(
                            HttpRequest.newBuilder(media.resolve(segment))
                                    .timeout(Duration.ofSeconds(20))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertThat(bytes.statusCode()).isEqualTo(200);
                    assertThat(bytes.body()[0]).as("a TS sync byte").isEqualTo((byte) 0x47);

                    // Node 3 knows the stream is node 1's, but node 1's certificate does not name node 3's
                    // public host: a quick 503, again and again, never the stream.
                    for (int i = 0; i < 3; i++) {
                        long t0 = System.nanoTime();
                        HttpResponse<String> refused = get(http, cluster.via(3, url));
                        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                        assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
                        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
                        Thread.sleep(1_100);
                    }
                } finally {
                    ffmpeg.cancel(true);
                }
            }
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(20))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(url, e);
        }
    }
}
