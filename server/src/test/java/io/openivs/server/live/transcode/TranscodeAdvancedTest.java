package io.openivs.server.live.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.config.ServerConfig;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * An ADVANCED_SD channel on MPEG-TS: its master lists the rungs and an audio_only rendition (no
 * source), audio_only plays as audio alone, and a transcoder child lost mid-stream shows in the
 * session as a Stream Failure event (IVS's name for a stream's failures) while the ladder comes back.
 */
class TranscodeAdvancedTest {
    static final Publishing.Events events = new Publishing.Events();

    @RegisterExtension
    static final ServerFixture node = new ServerFixture(dir -> new TestServer(
            dir,
            TestDatabases.sqlite(dir),
            List.of(events),
            c -> c.withTranscoding(new ServerConfig.Transcoding(true, 2))));

    static final HttpClient http = HttpClient.newHttpClient();

    private static String get(String url) {
        try {
            HttpResponse<String> r =
                    http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<ProcessHandle> transcoder() {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info()
                        .arguments()
                        .map(a -> String.join(" ", a).contains("openivs-tc"))
                        .orElse(false))
                .findFirst();
    }

    @Test
    void advancedChannelListsAudioOnlyAndShowsALostTranscoderInItsSession() throws Exception {
        CreateChannelResponse created = node.ivs()
                .createChannel(b -> b.name("advanced")
                        .type("ADVANCED_SD")
                        .latencyMode("NORMAL")
                        .insecureIngest(true));
        String arn = created.channel().arn();
        String master = created.channel().playbackUrl();
        String base = master.substring(0, master.length() - ".m3u8".length());
        CompletableFuture<FfmpegTool.Result> publisher = Publishing.publish(
                "rtmp://127.0.0.1:" + node.server().server().rtmpPort() + "/app/"
                        + created.streamKey().value(),
                24);

        // 640x360 on ADVANCED_SD: 360p30 and 160p30, audio_only, no source.
        String listing = Publishing.await(Duration.ofSeconds(30), () -> {
            String text = get(master);
            assertThat(text).contains("NAME=\"360p30\"").contains("NAME=\"160p30\"");
            assertThat(text).contains("NAME=\"audio_only\",AUTOSELECT=NO");
            return text;
        });
        assertThat(listing).doesNotContain("chunked").contains("audio_only/live.m3u8");
        FfmpegTool.Result audio = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-show_entries",
                "stream=codec_type,codec_name",
                "-of",
                "csv=p=0",
                base + "/audio_only/live.m3u8");
        assertThat(audio.exitCode()).as(audio.stderr()).isZero();
        // (ffprobe lists an HLS input's streams under its program too.) AAC and no video; the timed ID3 stream
        // carries each segment's latency stamp for the IVS player.
        assertThat(audio.stdout().lines().filter(l -> !l.isBlank()).distinct())
                .contains("aac,audio")
                .noneMatch(l -> l.endsWith(",video"));

        // Kill the child: a Stream Failure says why, in the session and as an event; the ladder comes back.
        ProcessHandle child = transcoder().orElseThrow();
        long killed = child.pid();
        child.destroyForcibly();
        IvsEvent failure = Publishing.await(
                Duration.ofSeconds(15),
                () -> events
                        .matching(e -> e.resources().contains(arn)
                                && "Stream Failure"
                                        .equals(e.detail().path("event_name").asText()))
                        .stream()
                        .findFirst()
                        .orElse(null));
        assertThat(failure.detail().path("reason").asText())
                .startsWith("Transcoding interrupted")
                .contains("source plays on");
        // The session's document is rewritten every few seconds.
        Publishing.await(Duration.ofSeconds(12), () -> {
            var session = node.ivs().getStreamSession(b -> b.channelArn(arn)).streamSession();
            assertThat(session.truncatedEvents()).extracting(e -> e.name()).contains("Stream Failure");
            assertThat(node.ivs()
                            .listStreamSessions(b -> b.channelArn(arn))
                            .streamSessions()
                            .get(0)
                            .hasErrorEvent())
                    .isTrue();
            return true;
        });
        Publishing.await(Duration.ofSeconds(10), () -> {
            assertThat(transcoder().map(ProcessHandle::pid)).isPresent().isNotEqualTo(Optional.of(killed));
            return true;
        });
        assertThat(publisher.get().exitCode()).isZero();
    }
}
