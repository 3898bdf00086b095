package io.openivs.server.live.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
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

    static final ListAppender<ILoggingEvent> transcoderLog = new ListAppender<>();

    @BeforeAll
    static void listen() {
        transcoderLog.start();
        ((Logger) LoggerFactory.getLogger(Transcoder.class)).addAppender(transcoderLog);
    }

    @AfterAll
    static void detach() {
        ((Logger) LoggerFactory.getLogger(Transcoder.class)).detachAppender(transcoderLog);
    }

    private static String get(String url) {
        try {
            HttpResponse<String> r =
                    http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** "EXTINF seconds,name" of each segment after the playlist's last discontinuity (all when none). */
    private static List<String> segmentsAfterLastDiscontinuity(String playlist) {
        List<String> out = new java.util.ArrayList<>();
        String seconds = null;
        for (String line : playlist.split("\n")) {
            if (line.startsWith("#EXT-X-DISCONTINUITY")) {
                out.clear();
            } else if (line.startsWith("#EXTINF:")) {
                seconds = line.substring("#EXTINF:".length(), line.indexOf(','));
            } else if (!line.startsWith("#") && !line.isBlank() && seconds != null) {
                out.add(seconds + "," + line);
                seconds = null;
            }
        }
        return out;
    }

    /** The AAC bits per second of these segments: ffprobe's packet sizes over the playlist's durations. */
    private static double audioBitsPerSecond(String dir, List<String> segments) throws Exception {
        long bytes = 0;
        double seconds = 0;
        for (String s : segments) {
            int comma = s.indexOf(',');
            seconds += Double.parseDouble(s.substring(0, comma));
            FfmpegTool.Result packets = FfmpegTool.ffprobe(
                    "-v",
                    "error",
                    "-select_streams",
                    "a:0",
                    "-show_entries",
                    "packet=size",
                    "-of",
                    "csv=p=0",
                    dir + s.substring(comma + 1));
            assertThat(packets.exitCode()).as(packets.stderr()).isZero();
            bytes += packets.stdout()
                    .lines()
                    .filter(l -> !l.isBlank())
                    .mapToLong(l -> Long.parseLong(l.split(",")[0].trim()))
                    .sum();
        }
        return bytes * 8 / seconds;
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
        // As Publishing.publish, but noise at 160 kb/s for audio (a sine wave encodes to about 70 kb/s whatever
        // is asked, too near 64 for a remux to fail the audio_only check below).
        String rtmp = node.rtmpUrl(created);
        Publishing.Stoppable publisher = Publishing.startStoppable(Publishing.argsWith(
                rtmp,
                "640x360",
                "anoisesrc=a=0.2:r=48000",
                24,
                List.of("-preset", "ultrafast", "-g", "30"),
                List.of("-b:a", "160k", "-ac", "2")));

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

        // audio_only is the transcoder's AAC at the guide's 64 kbps (the source's is 160 kbps): measured by
        // ffprobe over the segments after the takeover (the playlist's last discontinuity).
        List<String> transcoded = Publishing.await(Duration.ofSeconds(30), () -> {
            String playlist = get(base + "/audio_only/live.m3u8");
            assertThat(playlist).contains("#EXT-X-DISCONTINUITY");
            List<String> after = segmentsAfterLastDiscontinuity(playlist);
            assertThat(after).hasSizeGreaterThanOrEqualTo(3);
            return after;
        });
        System.out.println(get(base + "/audio_only/live.m3u8"));
        double audioOnlyRate = audioBitsPerSecond(base + "/audio_only/", transcoded);
        // The source (not listed on ADVANCED channels, but segmented as the rungs' reference) for contrast.
        String sourcePlaylist = get(base + "/live.m3u8");
        if (sourcePlaylist != null) {
            List<String> sourceSegments = segmentsAfterLastDiscontinuity(sourcePlaylist);
            double sourceRate = audioBitsPerSecond(base + "/", sourceSegments.subList(0, 2));
            System.out.printf("source audio %.0f bits/s%n", sourceRate);
            assertThat(sourceRate)
                    .as("the source's audio, which a remux would carry")
                    .isGreaterThan(120_000);
        }
        System.out.printf("audio_only audio %.0f bits/s%n", audioOnlyRate);
        assertThat(audioOnlyRate).isBetween(64_000 * 0.8, 64_000 * 1.2);

        // Kill the child: a Stream Failure says why, in the session and as an event; the ladder comes back.
        ProcessHandle child = TranscodeTesting.children().stream().findFirst().orElseThrow();
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
            assertThat(TranscodeTesting.children().stream().findFirst().map(ProcessHandle::pid))
                    .isPresent()
                    .isNotEqualTo(Optional.of(killed));
            return true;
        });
        // The operator's log says which child went, what CPU it had used, and that the next one started.
        Publishing.await(Duration.ofSeconds(5), () -> {
            List<String> lines = List.copyOf(transcoderLog.list).stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
            assertThat(lines)
                    .anySatisfy(l -> assertThat(l)
                            .containsPattern("child 1 ended \\(.*\\) after [0-9]+ s and [0-9]+\\.[0-9] s of CPU,"
                                    + " restarting in 0 ms; 0 restart\\(s\\) before"));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("started child 2 (pid "));
            return true;
        });
        FfmpegTool.Result published = publisher.stop();
        assertThat(published.exitCode()).as(published.stderr()).isZero();
    }
}
