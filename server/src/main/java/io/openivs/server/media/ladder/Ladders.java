package io.openivs.server.media.ladder;

import java.util.ArrayList;
import java.util.List;

/**
 * IVS's transcoding ladders, per channel type and preset, as the Amazon IVS Low-Latency Streaming
 * User Guide lists them in "Channel Types"
 * (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/channel-types.html):
 * <ul>
 * <li>STANDARD: the source (audio passed through) plus 720p60 at 3.4 Mbps (720p30 at 2.4 Mbps for an
 *     input of 30 fps or less), 480p30 at 1.4, 360p30 at 0.63 and 160p30 at 0.23 Mbps; 360p30 and
 *     160p30 carry transcoded audio of 64 and 48 kbps, the others the source's audio.</li>
 * <li>ADVANCED_HD (highest output 720p, no source rendition), HIGHER_BANDWIDTH_DELIVERY: 720p60 3.0
 *     (720p30 2.3), 480p30 1.3, 360p30 0.7, 160p30 0.27 Mbps; CONSTRAINED_BANDWIDTH_DELIVERY: 720p60
 *     2.2 (720p30 1.9), 480p30 0.8, 360p30 0.4, 160p30 0.22 Mbps; both with an audio_only rendition
 *     of transcoded audio at 64 kbps.</li>
 * <li>ADVANCED_SD: the same without 720p (highest output 480p).</li>
 * <li>BASIC: the source only (transmuxed).</li>
 * </ul>
 * Rungs taller than the input are not made (no up-conversion), and a rung never runs faster than
 * the input's frame rate. The guide gives no audio rates for ADVANCED rungs; they follow STANDARD's.
 */
public final class Ladders {
    public static final String STANDARD = "STANDARD";
    public static final String BASIC = "BASIC";
    public static final String ADVANCED_HD = "ADVANCED_HD";
    public static final String ADVANCED_SD = "ADVANCED_SD";
    public static final String HIGHER_BANDWIDTH_DELIVERY = "HIGHER_BANDWIDTH_DELIVERY";
    public static final String CONSTRAINED_BANDWIDTH_DELIVERY = "CONSTRAINED_BANDWIDTH_DELIVERY";

    /** The rendition IVS names for the source in its master playlists. */
    public static final String SOURCE_NAME = "chunked";
    /** The audio-only rendition's name. */
    public static final String AUDIO_ONLY_NAME = "audio_only";

    /** The audio_only rendition's AAC bits per second (ADVANCED channels), as the guide lists it. */
    public static final int AUDIO_ONLY_BITRATE = 64_000;

    /** Heights of the rungs, highest first, and the audio each carries (0: the source's). */
    private static final int[] HEIGHTS = {720, 480, 360, 160};

    private static final int[] AUDIO = {0, 0, 64_000, 48_000};

    // Video bits per second per height (720p at 60 fps first, then 720p at 30 fps, 480p, 360p, 160p).
    private static final int[] STANDARD_RATES = {3_400_000, 2_400_000, 1_400_000, 630_000, 230_000};
    private static final int[] HIGHER_RATES = {3_000_000, 2_300_000, 1_300_000, 700_000, 270_000};
    private static final int[] CONSTRAINED_RATES = {2_200_000, 1_900_000, 800_000, 400_000, 220_000};

    private Ladders() {}

    /**
     * The ladder a channel of {@code type} and {@code preset} plays for an input of this size and
     * frame rate. An unknown type plays its source; a missing or unknown preset on an ADVANCED
     * channel is HIGHER_BANDWIDTH_DELIVERY, IVS's default.
     *
     * @param frameRate the input's frames per second, 0 when unknown (taken as 30)
     */
    public static Ladder forInput(String type, String preset, int width, int height, double frameRate) {
        if (width <= 0 || height <= 0) {
            return Ladder.PASSTHROUGH;
        }
        return switch (type == null ? "" : type) {
            case STANDARD -> new Ladder(true, rungs(STANDARD_RATES, 720, width, height, frameRate), false);
            case ADVANCED_HD ->
                new Ladder(false, withAudioOnly(rungs(advancedRates(preset), 720, width, height, frameRate)), true);
            case ADVANCED_SD ->
                new Ladder(false, withAudioOnly(rungs(advancedRates(preset), 480, width, height, frameRate)), true);
            default -> Ladder.PASSTHROUGH;
        };
    }

    /**
     * Whether a channel of {@code type} lists an audio_only rendition (ADVANCED channels), whatever
     * its input; known before the input is, unlike {@link Ladder#audioOnly()}.
     */
    public static boolean listsAudioOnly(String type) {
        return ADVANCED_HD.equals(type) || ADVANCED_SD.equals(type);
    }

    /**
     * The audio_only rendition's audio is a rung's transcoded 64 kbps audio (360p30's): an input
     * below 360p, whose lowest rung would carry 48 kbps, has that rung's audio at 64 kbps instead.
     */
    private static List<Rung> withAudioOnly(List<Rung> rungs) {
        if (rungs.isEmpty() || rungs.stream().anyMatch(r -> r.audioBitrate() == AUDIO_ONLY_BITRATE)) {
            return rungs;
        }
        List<Rung> out = new ArrayList<>(rungs);
        Rung last = out.remove(out.size() - 1);
        out.add(new Rung(
                last.name(), last.width(), last.height(), last.frameRate(), last.videoBitrate(), AUDIO_ONLY_BITRATE));
        return out;
    }

    private static int[] advancedRates(String preset) {
        return CONSTRAINED_BANDWIDTH_DELIVERY.equals(preset) ? CONSTRAINED_RATES : HIGHER_RATES;
    }

    private static List<Rung> rungs(int[] rates, int highest, int width, int height, double frameRate) {
        double inputFps = frameRate > 0 ? frameRate : 30;
        List<Rung> out = new ArrayList<>(HEIGHTS.length);
        for (int i = 0; i < HEIGHTS.length; i++) {
            int h = HEIGHTS[i];
            if (h > highest || h > height) {
                continue;
            }
            boolean sixty = h == 720 && inputFps > 30.5;
            int fps = sixty ? 60 : (int) Math.min(30, Math.round(inputFps));
            int rate = h == 720 ? rates[sixty ? 0 : 1] : rates[i + 1];
            // Even width at the input's aspect ratio: 16:9 gives IVS's 1280, 852, 640 and 284.
            int w = Math.max(2, (int) ((long) h * width / height) & ~1);
            out.add(new Rung(h + "p" + fps, w, h, fps, rate, AUDIO[i]));
        }
        return out;
    }
}
