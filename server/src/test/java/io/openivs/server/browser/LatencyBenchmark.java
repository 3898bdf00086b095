package io.openivs.server.browser;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.openivs.server.media.ffmpeg.FfmpegExecutables;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * The benchmark behind bench/latency (not part of the suite: its name does not end in Test; run
 * it with bench/latency/run.sh). One after the other, for {@code openivs.bench.seconds} (60) each:
 * a LOW fMP4 channel, a NORMAL channel, and, when {@code openivs.bench.nginx.rtmp} and
 * {@code openivs.bench.nginx.hls} are set, nginx with its RTMP module; same publisher, same page.
 */
class LatencyBenchmark {
    static final int SECONDS = Integer.getInteger("openivs.bench.seconds", 60);

    @TempDir
    Path dir;

    @Test
    void measure() throws Exception {
        String missing = LatencyPage.missing();
        assumeTrue(missing == null, () -> "benchmark skipped: " + missing);
        StringBuilder table = new StringBuilder("\ntarget | hls.latency | arrival-to-display | PutMetadata to cue\n");
        try (TestServer server = new TestServer(dir, TestDatabases.sqlite(dir));
                IvsClient ivs = server.client(TestServer.ALICE)) {
            for (ChannelLatencyMode mode :
                    new ChannelLatencyMode[] {ChannelLatencyMode.LOW, ChannelLatencyMode.NORMAL}) {
                CreateChannelResponse created = ivs.createChannel(b -> b.name("bench-" + mode)
                        .insecureIngest(true)
                        .latencyMode(mode)
                        .containerFormat(
                                mode == ChannelLatencyMode.LOW ? ContainerFormat.FRAGMENTED_MP4 : ContainerFormat.TS));
                String arn = created.channel().arn();
                Process ffmpeg = publisher("rtmp://127.0.0.1:" + server.server().rtmpPort() + "/app/"
                        + created.streamKey().value());
                // 30 PutMetadata calls over the run, each carrying its send time.
                int every = Math.max(1, SECONDS / 30);
                LatencyPage.Report r;
                try (LatencyPage page = new LatencyPage(dir.resolve("profile-" + mode))) {
                    r = LowLatencyBrowserTest.measure(
                            page,
                            created.channel().playbackUrl(),
                            SECONDS,
                            every,
                            () -> ivs.putMetadata(
                                    b -> b.channelArn(arn).metadata("sent=" + System.currentTimeMillis())));
                }
                ivs.stopStream(b -> b.channelArn(arn));
                ffmpeg.destroy();
                row(table, "openivs " + mode + (mode == ChannelLatencyMode.LOW ? " fMP4 (LL-HLS)" : " TS"), r, true);
            }
        }
        String rtmp = System.getProperty("openivs.bench.nginx.rtmp");
        String hls = System.getProperty("openivs.bench.nginx.hls");
        if (rtmp != null && hls != null) {
            Process ffmpeg = publisher(rtmp);
            try (LatencyPage page = new LatencyPage(dir.resolve("profile-nginx"))) {
                row(
                        table,
                        "nginx-rtmp (2 s fragments)",
                        LowLatencyBrowserTest.measure(page, hls, SECONDS, SECONDS + 1, () -> {}),
                        false);
            }
            ffmpeg.destroy();
        }
        System.out.println(table);
    }

    /** The tests' low-latency publisher, started directly: FfmpegTool stops a process after 60 s. */
    private static Process publisher(String url) throws java.io.IOException {
        return FfmpegExecutables.builder(FfmpegExecutables.ffmpeg(), Publishing.lowLatencyArgs(url, SECONDS + 60))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static void row(StringBuilder table, String target, LatencyPage.Report r, boolean metadata) {
        table.append(target)
                .append(" | ")
                .append(LatencyPage.summary(r.latencies()))
                .append(" | ")
                .append(
                        r.arrivalToDisplay().isEmpty()
                                ? "n/a (no PROGRAM-DATE-TIME)"
                                : LatencyPage.summary(r.arrivalToDisplay()))
                .append(" | ")
                .append(metadata ? LatencyPage.summary(r.cueSeconds()) : "n/a")
                .append(r.errors().isEmpty() ? "" : " errors " + r.errors())
                .append('\n');
    }
}
