package io.openivs.server.live.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.config.ServerConfig;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * A STANDARD channel transcoded end to end with real parts: ffmpeg publishes 1280x720 at 30 fps over
 * RTMP, the server's ffmpeg child makes IVS's ladder, ffprobe reads every rendition, and the child
 * is killed mid-stream. One publish of 40 s covers it all (the machine has two cores).
 */
class TranscodeLadderTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture(
            dir -> new TestServer(dir, TestDatabases.sqlite(dir), new ServerConfig.Transcoding(true, 2)));

    static final HttpClient http = HttpClient.newHttpClient();
    private static final Pattern EXTINF = Pattern.compile("#EXTINF:([0-9.]+),[^\\n]*\\n([0-9]+)\\.ts");
    private static final Pattern SEQUENCE = Pattern.compile("#EXT-X-MEDIA-SEQUENCE:([0-9]+)");

    /** Expected rungs of a 720p30 input: name, width, height, video + audio bits per second. */
    private static final List<Object[]> LADDER = List.of(
            new Object[] {"720p30", 1280, 720, 2_400_000 + 128_000},
            new Object[] {"480p30", 852, 480, 1_400_000 + 128_000},
            new Object[] {"360p30", 640, 360, 630_000 + 64_000},
            new Object[] {"160p30", 284, 160, 230_000 + 48_000});

    private static String get(String url) {
        try {
            HttpResponse<String> r =
                    http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Segment number to EXTINF text of a media playlist. */
    private static Map<Long, String> extinfs(String playlist) {
        Map<Long, String> out = new LinkedHashMap<>();
        Matcher m = EXTINF.matcher(playlist);
        while (m.find()) {
            out.put(Long.parseLong(m.group(2)), m.group(1));
        }
        return out;
    }

    private static long newest(String playlist) {
        Map<Long, String> e = extinfs(playlist);
        return e.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /** Bytes of every audio and video packet in a segment, as ffprobe reads them. */
    private static long packetBytes(String url) throws Exception {
        FfmpegTool.Result r = FfmpegTool.ffprobe("-v", "error", "-show_entries", "packet=size", "-of", "csv=p=0", url);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.stdout()
                .lines()
                .filter(l -> !l.isBlank())
                .mapToLong(l -> Long.parseLong(l.split(",")[0].trim()))
                .sum();
    }

    /** The presentation time (seconds) of a segment's first video keyframe, where it cuts, as ffprobe reads it. */
    private static double videoStart(String url) throws Exception {
        FfmpegTool.Result r = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "packet=pts_time,flags",
                "-of",
                "csv=p=0",
                url);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String key = r.stdout()
                .lines()
                .filter(l -> l.contains(",K"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no keyframe in " + url + ": " + r.stdout()));
        return Double.parseDouble(key.split(",")[0]);
    }

    @Test
    void standardChannelPlaysIvsLadderAlignedAndSurvivesAKilledTranscoder() throws Exception {
        CreateChannelResponse created = node.ivs()
                .createChannel(b ->
                        b.name("ladder").type("STANDARD").latencyMode("NORMAL").insecureIngest(true));
        String master = created.channel().playbackUrl();
        String base = master.substring(0, master.length() - ".m3u8".length());
        String rtmp = node.rtmpUrl(created);
        Publishing.Stoppable publisher = Publishing.startStoppable(Publishing.argsWith(
                rtmp,
                "1280x720",
                "sine",
                40,
                List.of("-preset", "ultrafast", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-b:v", "3000k"),
                List.of("-b:a", "128k")));

        // The master lists the source as "chunked" and every rung of a 720p30 input, each once it has a segment.
        String listing = Publishing.await(Duration.ofSeconds(20), () -> {
            String text = get(master);
            assertThat(text).isNotNull();
            for (Object[] rung : LADDER) {
                assertThat(text).contains("NAME=\"" + rung[0] + "\"");
            }
            return text;
        });
        assertThat(listing)
                .contains("NAME=\"chunked\"")
                .doesNotContain("720p60")
                .doesNotContain("1080p");
        assertThat(listing)
                .contains("RESOLUTION=852x480")
                .contains("RESOLUTION=284x160")
                .contains("FRAME-RATE=30.000");

        // Let each rung list a few segments, then measure.
        Thread.sleep(6_000);
        String measured = get(master);
        List<long[]> bandwidths = new ArrayList<>();
        for (Object[] rung : LADDER) {
            String name = (String) rung[0];
            String playlistUrl = base + "/" + name + "/live.m3u8";
            FfmpegTool.Result probe = FfmpegTool.ffprobe(
                    "-v",
                    "error",
                    "-select_streams",
                    "v:0",
                    "-show_entries",
                    "stream=width,height",
                    "-of",
                    "csv=p=0",
                    playlistUrl);
            assertThat(probe.exitCode()).as(probe.stderr()).isZero();
            assertThat(probe.stdout().trim().lines().findFirst().orElse(""))
                    .as(name)
                    .isEqualTo(rung[1] + "," + rung[2]);
            // Frame rate: frames counted in a finished segment over its duration.
            Map<Long, String> segments = extinfs(get(playlistUrl));
            // The newest finished segment: the oldest may leave the window before a slow machine probes it.
            long first =
                    segments.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            FfmpegTool.Result frames = FfmpegTool.ffprobe(
                    "-v",
                    "error",
                    "-count_frames",
                    "-select_streams",
                    "v:0",
                    "-show_entries",
                    "stream=nb_read_frames",
                    "-of",
                    "csv=p=0",
                    base + "/" + name + "/" + first + ".ts");
            assertThat(frames.exitCode()).as(frames.stderr()).isZero();
            double fps =
                    Integer.parseInt(frames.stdout().trim().lines().findFirst().orElse("0"))
                            / Double.parseDouble(segments.get(first));
            assertThat(fps).as(name + " frames per second").isBetween(29.0, 31.0);

            // The bandwidth the master reports, measured from the rung's own segments, is near the ladder's.
            Matcher avg = Pattern.compile("AVERAGE-BANDWIDTH=([0-9]+),RESOLUTION=" + rung[1] + "x" + rung[2]
                            + ",CODECS=\"avc1\\.[0-9A-F]{6},mp4a\\.40\\.2\",VIDEO=\"" + name + "\",FRAME-RATE=30.000")
                    .matcher(measured); // video and audio in every rung
            assertThat(avg.find()).as(name + " in " + measured).isTrue();
            long bandwidth = Long.parseLong(avg.group(1));
            int expected = (int) rung[3];
            // ffprobe's reading of the rung's own media: its packets' bytes (video and audio) over the playlist's
            // durations, for the newest three segments (older ones may leave the window while the probes run).
            List<Map.Entry<Long, String>> all =
                    new ArrayList<>(extinfs(get(playlistUrl)).entrySet());
            List<Map.Entry<Long, String>> listed = all.subList(Math.max(0, all.size() - 3), all.size());
            long bytes = 0;
            double seconds = 0;
            for (Map.Entry<Long, String> e : listed) {
                bytes += packetBytes(base + "/" + name + "/" + e.getKey() + ".ts");
                seconds += Double.parseDouble(e.getValue());
            }
            long probed = Math.round(bytes * 8 / seconds);
            System.out.println(name + " ffprobe " + probed + " bits/s over " + listed.size() + " segments, master "
                    + bandwidth + ", ladder " + expected);
            bandwidths.add(new long[] {probed, expected});

            // Segments of the same number last as long in every rendition, and start within a frame of the source's.
            // (Both read now: the probes above take seconds on a loaded machine, and the windows move on. On such a
            // machine the rung's encoder can be a segment or more behind the source, so the two windows may share
            // only one number: read both again until they share two, as a player switching rungs would find them.)
            Map<Long, String> source = new LinkedHashMap<>();
            Map<Long, String> mine = new LinkedHashMap<>();
            List<Long> common = new ArrayList<>();
            long sharing = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
            do {
                source.clear();
                source.putAll(extinfs(get(base + "/live.m3u8")));
                mine.clear();
                mine.putAll(extinfs(get(playlistUrl)));
                common = mine.keySet().stream().filter(source::containsKey).toList();
                if (common.size() < 2) {
                    Thread.sleep(500);
                }
            } while (common.size() < 2 && System.nanoTime() < sharing);
            assertThat(common)
                    .as(name + " shares segment numbers with the source")
                    .hasSizeGreaterThanOrEqualTo(2);
            for (long n : common) {
                assertThat(mine.get(n)).as(name + " segment " + n).isEqualTo(source.get(n));
            }
            for (long n : common.subList(common.size() - 2, common.size())) {
                double rungStart = videoStart(base + "/" + name + "/" + n + ".ts");
                double sourceStart = videoStart(base + "/" + n + ".ts");
                assertThat(Math.abs(rungStart - sourceStart))
                        .as(name + " segment " + n + " starts at " + rungStart + ", the source's at " + sourceStart)
                        .isLessThanOrEqualTo(1 / 30.0 + 1e-6);
            }
        }

        System.out.println(measured);
        for (int i = 0; i < LADDER.size(); i++) {
            long[] b = bandwidths.get(i);
            assertThat(b[0]).as(LADDER.get(i)[0] + " bits/s").isBetween((long) (b[1] * 0.8), (long) (b[1] * 1.2));
        }

        // Kill the transcoder: the source plays on, and the ladder is back within about 5 s.
        List<ProcessHandle> children = TranscodeTesting.children();
        assertThat(children).hasSize(1);
        long killedPid = children.get(0).pid();
        children.get(0)
                .info()
                .totalCpuDuration()
                .ifPresent(cpu -> System.out.printf(
                        "transcoder child: %.1f s of CPU since it started at %s%n",
                        cpu.toMillis() / 1e3,
                        children.get(0).info().startInstant().orElse(null)));
        String rungBefore = get(base + "/360p30/live.m3u8");
        long sourceAtKill = newest(get(base + "/live.m3u8"));
        long rungAtKill = newest(rungBefore);
        long killedAt = System.nanoTime();
        children.get(0).destroyForcibly();

        ProcessHandle again = Publishing.await(Duration.ofSeconds(5), () -> {
            List<ProcessHandle> now = TranscodeTesting.children();
            assertThat(now).hasSize(1);
            assertThat(now.get(0).pid()).isNotEqualTo(killedPid);
            return now.get(0);
        });
        assertThat(again.isAlive()).isTrue();
        // Meanwhile the source went on listing segments, and the rung kept a playlist to serve.
        Publishing.await(Duration.ofSeconds(5), () -> {
            assertThat(newest(get(base + "/live.m3u8"))).isGreaterThan(sourceAtKill);
            assertThat(get(base + "/360p30/live.m3u8")).isNotNull();
            return true;
        });
        // The new child's rung lists a segment newer than any before the kill, numbered as the source numbers it.
        long back = Publishing.await(Duration.ofSeconds(8), () -> {
            String p = get(base + "/360p30/live.m3u8");
            assertThat(newest(p)).isGreaterThan(rungAtKill + 1);
            return System.nanoTime();
        });
        Map<Long, String> src = extinfs(get(base + "/live.m3u8"));
        Map<Long, String> rung = extinfs(get(base + "/360p30/live.m3u8"));
        long n = newest(get(base + "/360p30/live.m3u8"));
        if (src.containsKey(n)) {
            assertThat(rung.get(n)).isEqualTo(src.get(n));
        }
        System.out.printf("ladder back %.1f s after the kill (segments of 2 s)%n", (back - killedAt) / 1e9);
        FfmpegTool.Result published = publisher.stop();
        assertThat(published.exitCode()).as(published.stderr()).isZero();
    }
}
