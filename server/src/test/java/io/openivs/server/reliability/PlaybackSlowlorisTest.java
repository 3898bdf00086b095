package io.openivs.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * Issue 15, item 4, on a whole node with default limits: a playback connection that says nothing, and one that
 * trickles a request head a byte at a time, are closed once the 10 s header timeout passes (on main both were
 * held forever), while a real viewer plays the channel beside them.
 */
@Tag("reliability")
class PlaybackSlowlorisTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    @Test
    void silentAndTricklingConnectionsAreClosedWhileAViewerPlays() throws Exception {
        CreateChannelResponse created =
                node.ivs().createChannel(b -> b.name("slowloris").insecureIngest(true));
        String arn = created.channel().arn();
        int playback = node.server().server().playbackPort();
        // Stopped once the viewer has played the stream: nothing is checked of the publisher after that.
        Process ffmpeg = Publishing.startLowLatency(
                "rtmp://127.0.0.1:" + node.server().server().rtmpPort() + "/app/"
                        + created.streamKey().value(),
                60);
        try (SlowClient silent = new SlowClient(playback);
                SlowClient trickle = new SlowClient(playback)) {
            long start = System.nanoTime();
            String head = "GET /api/video/v1/x.m3u8 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
            boolean trickleClosed = false;
            // One byte of header every 500 ms for up to 16 s: the head never ends.
            for (int i = 0; i < 32 && !trickleClosed; i++) {
                trickleClosed = !trickle.trySend(i < head.length() ? head.substring(i, i + 1) : "a")
                        || trickle.readUntilClosed(500) != null;
            }
            assertThat(trickleClosed)
                    .as("trickling request head closed within 16 s")
                    .isTrue();
            assertThat(silent.readUntilClosed(Math.max(1, 16_000 - (System.nanoTime() - start) / 1_000_000)))
                    .as("silent connection closed within 16 s")
                    .isNotNull();

            Publishing.await(
                    Duration.ofSeconds(15),
                    () -> node.ivs().getStream(b -> b.channelArn(arn)).stream().stateAsString());
            FfmpegTool.Result probe = Publishing.await(Duration.ofSeconds(20), () -> {
                try {
                    FfmpegTool.Result r = FfmpegTool.ffprobe(
                            "-v",
                            "error",
                            "-show_entries",
                            "stream=codec_name",
                            "-of",
                            "csv=p=0",
                            created.channel().playbackUrl());
                    assertThat(r.exitCode()).as(r.stderr()).isZero();
                    return r;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(probe.stdout()).contains("h264").contains("aac");
        } finally {
            ffmpeg.destroyForcibly();
            ffmpeg.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
