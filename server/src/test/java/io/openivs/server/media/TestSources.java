package io.openivs.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Media made and checked by the real ffmpeg, shared by the remux tests. */
public final class TestSources {

    private TestSources() {}

    /**
     * Writes what a typical RTMP publisher sends: a test pattern in x264 (Main profile, two
     * B-frames, a keyframe every 2 s at 30 fps) and a 48 kHz mono AAC sine, as FLV.
     */
    public static Path x264AacFlv(Path file, int width, int height, double seconds) throws Exception {
        return x264AacFlv(file, width, height, seconds, "-preset", "ultrafast", "-bf", "2");
    }

    /** The same with other x264 options (preset, profile, B-frames). */
    public static Path x264AacFlv(Path file, int width, int height, double seconds, String... x264Options)
            throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "-hide_banner",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=" + width + "x" + height + ":rate=30",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:sample_rate=48000",
                "-t",
                String.valueOf(seconds),
                "-c:v",
                "libx264"));
        args.addAll(List.of(x264Options));
        args.addAll(
                List.of("-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-f", "flv", file.toString()));
        FfmpegTool.Result r = FfmpegTool.ffmpeg(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return file;
    }

    /** Decodes everything; any ffmpeg error fails. Returns how far decoding got, in seconds. */
    public static double decodedSeconds(Path input) throws Exception {
        FfmpegTool.Result r = FfmpegTool.ffmpeg(
                "-nostdin",
                "-v",
                "error",
                "-nostats",
                "-progress",
                "pipe:1",
                "-i",
                input.toString(),
                "-f",
                "null",
                "-");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).as("ffmpeg errors").isEmpty();
        Matcher m = Pattern.compile("out_time_us=(\\d+)").matcher(r.stdout());
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        assertThat(last).as(r.stdout()).isPositive();
        return last / 1e6;
    }
}
