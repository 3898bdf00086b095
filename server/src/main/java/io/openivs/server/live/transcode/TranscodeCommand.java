package io.openivs.server.live.transcode;

import io.openivs.server.media.ladder.Ladder;
import io.openivs.server.media.ladder.Rung;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The ffmpeg command line of one transcoded stream: the source as MPEG-TS on stdin, decoded once
 * and split, then one libx264 encode per rung, each rung written as its own MPEG-TS to the address
 * given for it (a Unix socket the server listens on).
 *
 * <p>Every rung must cut where the source cuts and carry the source's timestamps, so its segments
 * line up with the source's: keyframes are forced where the source has them and nowhere else (no
 * scene-cut keyframes, a GOP far longer than any source's), and timestamps are copied through
 * ({@code -copyts}, and the TS muxer told not to shift them). Frames are passed as they come
 * ({@code -fps_mode passthrough}); a rung at half the source's rate keeps every other frame and every
 * keyframe.
 */
public final class TranscodeCommand {
    /** x264 preset: veryfast for rungs of 480p and above, superfast below (little to gain there). */
    private static final String PRESET_HIGH = "veryfast";

    private static final String PRESET_LOW = "superfast";

    private TranscodeCommand() {}

    /**
     * @param inputFrameRate the source's frames per second (0 when unknown): a rung slower than it gets an fps filter
     * @param outputs        one address per rung, in the ladder's order (e.g. {@code unix:/tmp/x/r0.sock})
     */
    public static List<String> args(Ladder ladder, double inputFrameRate, boolean hasAudio, List<String> outputs) {
        List<Rung> rungs = ladder.rungs();
        if (rungs.size() != outputs.size() || rungs.isEmpty()) {
            throw new IllegalArgumentException("one output per rung");
        }
        List<String> a = new ArrayList<>(List.of(
                "-hide_banner",
                "-loglevel",
                "warning",
                "-nostdin",
                // Probing must see an audio frame after 720p keyframes (else audio has no sample rate), and
                // -fflags nobuffer would drop what it read while probing: the first keyframe with it.
                "-probesize",
                "2000000",
                "-analyzeduration",
                "1000000",
                "-copyts",
                "-f",
                "mpegts",
                "-i",
                "pipe:0"));
        StringBuilder graph = new StringBuilder();
        graph.append("[0:v]split=").append(rungs.size());
        for (int i = 0; i < rungs.size(); i++) {
            graph.append("[s").append(i).append(']');
        }
        for (int i = 0; i < rungs.size(); i++) {
            Rung r = rungs.get(i);
            graph.append(";[s")
                    .append(i)
                    .append("]scale=")
                    .append(r.width())
                    .append(':')
                    .append(r.height());
            if (inputFrameRate > r.frameRate() + 0.5) {
                // Every k-th frame and every keyframe, timestamps untouched: an fps filter would move
                // frames onto its own grid and could drop the source's keyframe, and with it a cut.
                long k = Math.max(2, Math.round(inputFrameRate / r.frameRate()));
                graph.append(",select='eq(pict_type\\,I)+not(mod(n\\,")
                        .append(k)
                        .append("))'");
            }
            graph.append("[v").append(i).append(']');
        }
        a.add("-filter_complex");
        a.add(graph.toString());
        for (int i = 0; i < rungs.size(); i++) {
            Rung r = rungs.get(i);
            String kbps = r.videoBitrate() / 1000 + "k";
            a.addAll(List.of(
                    "-map",
                    "[v" + i + "]",
                    "-c:v",
                    "libx264",
                    "-preset",
                    r.height() >= 480 ? PRESET_HIGH : PRESET_LOW,
                    "-tune",
                    "zerolatency",
                    "-profile:v",
                    r.height() >= 480 ? "main" : "baseline",
                    "-pix_fmt",
                    "yuv420p",
                    "-b:v",
                    kbps,
                    "-maxrate",
                    kbps,
                    "-bufsize",
                    r.videoBitrate() / 500 + "k",
                    "-g",
                    "600",
                    "-sc_threshold",
                    "0",
                    "-force_key_frames",
                    "source",
                    // The source's 90 kHz timestamps, not ffmpeg's default 1/frame-rate grid, which moves
                    // a publisher's millisecond timestamps (and so the rung's cuts) by a few milliseconds.
                    "-enc_time_base:v",
                    "1:90000",
                    // The rung's nominal rate in its SPS (the master's FRAME-RATE); frames keep their times.
                    "-x264-params",
                    "fps=" + r.frameRate(),
                    "-fps_mode",
                    "passthrough"));
            if (hasAudio) {
                a.addAll(List.of("-map", "0:a:0?"));
                if (r.copiesAudio()) {
                    a.addAll(List.of("-c:a", "copy"));
                } else {
                    a.addAll(List.of("-c:a", "aac", "-b:a", r.audioBitrate() / 1000 + "k"));
                }
            }
            a.addAll(List.of("-f", "mpegts", "-mpegts_copyts", "1", "-flush_packets", "1", outputs.get(i)));
        }
        return a;
    }

    /** The rung names, for logs. */
    static String describe(Ladder ladder) {
        StringBuilder b = new StringBuilder();
        for (Rung r : ladder.rungs()) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(r.name()).append('@').append(String.format(Locale.ROOT, "%.2f", r.videoBitrate() / 1e6));
        }
        return b.toString();
    }
}
