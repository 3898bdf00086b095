package io.openivs.server.ingest.srt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.model.Channel;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * The real ffmpeg publishes over SRT through a relay that drops 5 % of datagrams both ways and delays each by up
 * to 50 ms (so many arrive out of order): with a latency that leaves room for retransmissions (2 s: a loaded test
 * host's stalls add to the path's), the HLS output has every segment, in sequence, without a discontinuity, each
 * whole (every frame there, decoding without error); and the reordering is not mistaken for loss, so few
 * retransmissions are of packets the server had.
 */
class SrtLossyHlsTest {
    static final int SECONDS = 24;

    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    static final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** One segment as first listed: its playlist tags and where it was saved. */
    record Listed(long sequence, double extinf, boolean discontinuity, Path file) {}

    @Test
    void aLossyJitteryLinkPlaysWithoutAGap() throws Exception {
        CreateChannelResponse created = node.ivs().createChannel(b -> b.name("srt-lossy"));
        Channel channel = created.channel();
        InetSocketAddress server =
                new InetSocketAddress("127.0.0.1", node.server().server().srtPort());
        try (LossyRelay relay = new LossyRelay(server, 0.05, 50)) {
            String url = "srt://127.0.0.1:" + relay.port()
                    + "?mode=caller&latency=2000000&connect_timeout=10000&pbkeylen=16&streamid="
                    + URLEncoder.encode(created.streamKey().value(), StandardCharsets.UTF_8) + "&passphrase="
                    + URLEncoder.encode(channel.srt().passphrase(), StandardCharsets.UTF_8);
            CompletableFuture<FfmpegTool.Result> publisher = Publishing.publish(url, SECONDS);
            URI media = mediaPlaylist(channel.playbackUrl());
            Map<Long, Listed> segments = new TreeMap<>();
            while (!publisher.isDone()) {
                collect(media, segments);
                Thread.sleep(700);
            }
            collect(media, segments); // what the end of the stream finished, if still listed
            FfmpegTool.Result published = publisher.get(10, TimeUnit.SECONDS);
            assertThat(published.exitCode()).as(published.stderr()).isZero();
            assertThat(relay.dropped.get()).as("datagrams the relay dropped").isGreaterThan(50);

            List<Listed> list = new ArrayList<>(segments.values());
            System.out.printf(
                    "lossy SRT: %d datagrams dropped of %d, %d segments listed; %d retransmissions reached the"
                            + " server, %d of them (or their originals) copies of packets it had%n",
                    relay.dropped.get(),
                    relay.dropped.get() + relay.forwarded.get(),
                    list.size(),
                    relay.retransmissions.get(),
                    relay.duplicates.get());
            System.out.printf(
                    "lossy SRT: needless copies by cause %s, in the first 3 s %s%n",
                    relay.causes(), relay.earlyCauses());
            // Each dropped data packet needs a retransmission, so there are many; a reordered packet reported lost
            // before it came is sent twice. Reporting gaps at once until the path had shown its reordering made the
            // first keyframe's burst 15-21 % of retransmissions on a quiet host (SrtLossySimulationTest: all of
            // them); with the initial tolerance, 0 of 251 at load 7, 1.6 % at load 21. What is left comes on a loaded
            // host, originals
            // held back longer than the tolerance's cap (a quarter of the latency): 11 % at load 36. Under 15 %.
            assertThat(relay.retransmissions.get()).isGreaterThan(20);
            assertThat(relay.duplicates.get())
                    .as("needless copies among %d retransmissions", relay.retransmissions.get())
                    .isLessThan(relay.retransmissions.get() * 15 / 100);
            assertThat(list.size()).as("segments over %d s", SECONDS).isGreaterThanOrEqualTo(SECONDS / 2 - 3);
            for (int i = 0; i < list.size(); i++) {
                Listed s = list.get(i);
                assertThat(s.sequence())
                        .as("sequence without a gap")
                        .isEqualTo(list.get(0).sequence() + i);
                assertThat(s.discontinuity())
                        .as("segment %d after a discontinuity", s.sequence())
                        .isFalse();
                // Every frame: 30 fps over the listed duration (the last segment ends where the stream did, give
                // or take a frame). The first line: ffprobe lists the stream under its program and again on its own.
                FfmpegTool.Result frames = FfmpegTool.ffprobe(
                        "-v",
                        "error",
                        "-count_frames",
                        "-select_streams",
                        "v",
                        "-show_entries",
                        "stream=nb_read_frames",
                        "-of",
                        "csv=p=0",
                        s.file().toString());
                assertThat(frames.exitCode()).as(frames.stderr()).isZero();
                assertThat(Integer.parseInt(frames.stdout()
                                .lines()
                                .findFirst()
                                .orElseThrow()
                                .trim()))
                        .as("video frames of segment %d (%.3f s)", s.sequence(), s.extinf())
                        .isCloseTo(
                                (int) Math.round(s.extinf() * 30),
                                org.assertj.core.data.Offset.offset(i == list.size() - 1 ? 1 : 0));
                FfmpegTool.Result decode =
                        FfmpegTool.ffmpeg("-v", "error", "-i", s.file().toString(), "-f", "null", "-");
                assertThat(decode.exitCode()).isZero();
                assertThat(decode.stderr())
                        .as("decode errors in segment %d", s.sequence())
                        .isBlank();
            }
            for (int i = 1; i < list.size(); i++) {
                Listed previous = list.get(i - 1);
                assertThat(videoStart(list.get(i).file()))
                        .as("segment %d starts where %d ends", list.get(i).sequence(), previous.sequence())
                        .isCloseTo(videoStart(previous.file()) + previous.extinf(), offset(0.05));
            }
        }
    }

    /** Saves each segment not seen yet, with its tags. */
    private void collect(URI media, Map<Long, Listed> segments) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(media).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return; // the stream ended and its playlist went
        }
        long sequence = -1;
        double extinf = 0;
        boolean discontinuity = false;
        for (String line : r.body().lines().toList()) {
            if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
                sequence = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("#EXTINF:")) {
                extinf = Double.parseDouble(line.substring(8, line.indexOf(',')));
            } else if (line.startsWith("#EXT-X-DISCONTINUITY") && !line.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE")) {
                discontinuity = true;
            } else if (!line.startsWith("#") && !line.isBlank()) {
                if (!segments.containsKey(sequence)) {
                    Path file = dir.resolve("segment-" + sequence + ".ts");
                    HttpResponse<Path> got = http.send(
                            HttpRequest.newBuilder(media.resolve(line)).build(),
                            HttpResponse.BodyHandlers.ofFile(file));
                    assertThat(got.statusCode()).isEqualTo(200);
                    segments.put(sequence, new Listed(sequence, extinf, discontinuity, file));
                }
                sequence++;
                discontinuity = false;
            }
        }
    }

    private static double videoStart(Path file) throws Exception {
        FfmpegTool.Result r = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-select_streams",
                "v",
                "-show_entries",
                "stream=start_time",
                "-of",
                "csv=p=0",
                file.toString());
        return Double.parseDouble(r.stdout().lines().findFirst().orElseThrow().trim());
    }

    private static URI mediaPlaylist(String playbackUrl) throws Exception {
        return Publishing.await(Duration.ofSeconds(30), () -> {
            try {
                HttpResponse<String> master = http.send(
                        HttpRequest.newBuilder(URI.create(playbackUrl)).build(), HttpResponse.BodyHandlers.ofString());
                if (master.statusCode() != 200) {
                    return null;
                }
                String uri = master.body()
                        .lines()
                        .filter(l -> !l.startsWith("#") && !l.isBlank())
                        .findFirst()
                        .orElse(null);
                return uri == null ? null : URI.create(playbackUrl).resolve(uri);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
