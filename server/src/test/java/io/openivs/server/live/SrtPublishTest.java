package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.Channel;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.StreamState;

/**
 * SRT ingest as IVS offers it: the channel's {@code srt.endpoint} and {@code srt.passphrase}, the stream key as
 * stream id, MPEG-TS inside; the stream is a stream like an RTMP one (LIVE, playable, ingest configuration).
 */
class SrtPublishTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    private static String srtUrl(Channel channel, String streamKey, String passphrase, int pbkeylen) {
        String url = "srt://" + channel.srt().endpoint().replace("localhost", "127.0.0.1")
                + "?mode=caller&latency=200000&streamid=" + URLEncoder.encode(streamKey, StandardCharsets.UTF_8);
        if (passphrase != null) {
            url += "&passphrase=" + URLEncoder.encode(passphrase, StandardCharsets.UTF_8) + "&pbkeylen=" + pbkeylen;
        }
        return url;
    }

    /** Publishing's generated stream, as MPEG-TS over SRT. */
    private static CompletableFuture<FfmpegTool.Result> publishTs(String url, int seconds) {
        return Publishing.publish(url, seconds);
    }

    private static StreamState state(IvsClient ivs, String arn) {
        try {
            return ivs.getStream(b -> b.channelArn(arn)).stream().state();
        } catch (ChannelNotBroadcastingException e) {
            return null;
        }
    }

    @Test
    void anEncryptedSrtPublishIsLivePlayableAndTheOnlyPublisher() throws Exception {
        IvsClient ivs = node.ivs();
        CreateChannelResponse created = ivs.createChannel(b -> b.name("srt-secure"));
        Channel channel = created.channel();
        String key = created.streamKey().value();
        assertThat(channel.srt().endpoint())
                .isEqualTo("localhost:" + node.server().server().srtPort());
        // On SRT's port 9000 the endpoint is the host alone, as IVS's: an encoder adds :9000 itself.
        assertThat(node.server()
                        .server()
                        .config()
                        .withBoundPorts(0, 0, 0, 0, 9000)
                        .srtEndpoint())
                .isEqualTo("localhost");
        String passphrase = channel.srt().passphrase();
        assertThat(passphrase).hasSizeBetween(10, 79);

        // Refused: wrong passphrase, no passphrase on an encrypted channel, a key that is no key.
        assertThat(publishTs(srtUrl(channel, key, "not-the-passphrase-at-all", 16), 3)
                        .get(30, TimeUnit.SECONDS)
                        .exitCode())
                .isNotZero();
        assertThat(publishTs(srtUrl(channel, key, null, 0), 3)
                        .get(30, TimeUnit.SECONDS)
                        .exitCode())
                .isNotZero();
        assertThat(publishTs(srtUrl(channel, "sk_us-west-2_nokey", passphrase, 16), 3)
                        .get(30, TimeUnit.SECONDS)
                        .exitCode())
                .isNotZero();
        assertThat(state(ivs, channel.arn())).as("nothing went live").isNull();

        // Stopped once all is checked (14 s is what a slow machine may need); its exit code is checked as before.
        Publishing.Stoppable publisher = Publishing.startStoppable(srtUrl(channel, key, passphrase, 32), 14);
        Publishing.await(Duration.ofSeconds(15), () -> state(ivs, channel.arn()) == StreamState.LIVE ? true : null);
        FfmpegTool.Result probe = Publishing.await(Duration.ofSeconds(15), () -> {
            try {
                FfmpegTool.Result r = FfmpegTool.ffprobe(
                        "-v",
                        "error",
                        "-show_entries",
                        "stream=codec_name,width",
                        "-of",
                        "csv=p=0",
                        channel.playbackUrl());
                return r.exitCode() == 0 && r.stdout().contains("h264") ? r : null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(probe.stdout()).contains("h264,640").contains("aac");
        // One publisher per channel, across protocols: RTMPS while SRT publishes is refused.
        FfmpegTool.Result second = Publishing.publish(
                        "rtmps://127.0.0.1:" + node.server().server().rtmpsPort() + "/app/" + key, 3)
                .get(30, TimeUnit.SECONDS);
        assertThat(second.exitCode()).isNotZero();
        String streamId =
                ivs.getStream(b -> b.channelArn(channel.arn())).stream().streamId();
        var session = Publishing.await(Duration.ofSeconds(10), () -> {
            var s = ivs.getStreamSession(b -> b.channelArn(channel.arn()).streamId(streamId))
                    .streamSession();
            return s.ingestConfiguration() != null
                            && s.ingestConfiguration().video() != null
                            && s.ingestConfiguration().video().videoWidth() == 640
                    ? s
                    : null;
        });
        assertThat(session.ingestConfiguration().audio().codec()).isEqualTo("mp4a.40.2");
        FfmpegTool.Result published = publisher.stop();
        assertThat(published.exitCode()).as(published.stderr()).isZero();
        Publishing.await(Duration.ofSeconds(15), () -> state(ivs, channel.arn()) == null ? true : null);
    }

    @Test
    void anInsecureIngestChannelTakesSrtWithoutAPassphrase() throws Exception {
        IvsClient ivs = node.ivs();
        CreateChannelResponse created =
                ivs.createChannel(b -> b.name("srt-open").insecureIngest(true));
        Channel channel = created.channel();
        String key = created.streamKey().value();
        // The #!:: form of the stream id, as some encoders send it.
        Publishing.Stoppable publisher =
                Publishing.startStoppable(srtUrl(channel, "#!::r=" + key + ",m=publish", null, 0), 8);
        Publishing.await(Duration.ofSeconds(15), () -> state(ivs, channel.arn()) == StreamState.LIVE ? true : null);
        FfmpegTool.Result published = publisher.stop();
        assertThat(published.exitCode()).as(published.stderr()).isZero();
    }
}
