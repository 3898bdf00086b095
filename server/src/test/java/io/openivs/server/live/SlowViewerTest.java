package io.openivs.server.live;

import static io.openivs.server.live.LiveTesting.await;
import static io.openivs.server.live.LiveTesting.publish;
import static io.openivs.server.live.LiveTesting.rtmpUrl;
import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.ServerFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.StreamHealth;

/**
 * A viewer that asks for many segments and reads none is closed after its stall limit, while
 * another viewer and the publisher carry on at full speed.
 */
class SlowViewerTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final int PIPELINED = 200;

    @Test
    void aViewerThatDoesNotReadIsClosedAndSlowsNobody() throws Exception {
        CreateChannelResponse created =
                node.ivs().createChannel(b -> b.name("slow-viewer").insecureIngest(true));
        String arn = created.channel().arn();
        CompletableFuture<FfmpegTool.Result> publisher = publish(
                node.background(),
                rtmpUrl(node.server(), created.streamKey().value()),
                LiveTesting.testSource("640x360", 40));
        URI master = URI.create(created.channel().playbackUrl());
        URI media = await(
                Duration.ofSeconds(20),
                () -> master.resolve(get(master)
                        .body()
                        .lines()
                        .filter(l -> !l.startsWith("#") && !l.isBlank())
                        .findFirst()
                        .orElseThrow()));
        String segment = await(
                Duration.ofSeconds(10),
                () -> get(media)
                        .body()
                        .lines()
                        .filter(l -> !l.startsWith("#") && !l.isBlank())
                        .reduce((a, b) -> b)
                        .orElseThrow());
        String path = media.resolve(segment).getRawPath();
        int segmentBytes = http.send(
                        HttpRequest.newBuilder(media.resolve(segment)).build(), HttpResponse.BodyHandlers.ofByteArray())
                .body()
                .length;

        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", master.getPort()));
            OutputStream out = slow.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .repeat(PIPELINED)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();

            // Meanwhile another viewer polls the playlist: always answered quickly, and it keeps advancing.
            long firstSequence = newestSequence(get(media).body());
            long started = System.nanoTime();
            long slowest = 0;
            while (System.nanoTime() - started < Duration.ofSeconds(13).toNanos()) {
                long t = System.nanoTime();
                HttpResponse<String> r = get(media);
                slowest = Math.max(slowest, System.nanoTime() - t);
                assertThat(r.statusCode()).isEqualTo(200);
                Thread.sleep(250);
            }
            assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofSeconds(2));
            assertThat(newestSequence(get(media).body()))
                    .as("segments kept coming")
                    .isGreaterThan(firstSequence + 3);
            assertThat(node.ivs().getStream(b -> b.channelArn(arn)).stream().health())
                    .isEqualTo(StreamHealth.HEALTHY);

            // By now the server has given up on the slow viewer: what is left to read ends soon, far short of the
            // whole.
            slow.setSoTimeout(5_000);
            long read = 0;
            boolean closed = false;
            InputStream in = slow.getInputStream();
            byte[] buf = new byte[65536];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    read += n;
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (IOException e) {
                closed = true; // reset
            }
            assertThat(closed).as("the slow viewer's connection was closed").isTrue();
            assertThat(read).isLessThan((long) PIPELINED * segmentBytes / 2);
        }
        node.ivs().stopStream(b -> b.channelArn(arn));
        publisher.join();
    }

    /** The sequence number of the last segment listed ({@code N.ts}). */
    private static long newestSequence(String playlist) {
        Matcher m = Pattern.compile("(?m)^(\\d+)\\.ts$").matcher(playlist);
        long newest = -1;
        while (m.find()) {
            newest = Long.parseLong(m.group(1));
        }
        return newest;
    }

    private static HttpResponse<String> get(URI url) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
