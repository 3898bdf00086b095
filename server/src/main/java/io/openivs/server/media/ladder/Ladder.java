package io.openivs.server.media.ladder;

import java.util.List;

/**
 * What a channel plays for one input: whether the source is listed as a rendition of its own, the
 * transcoded rungs (highest first), and whether an audio_only rendition is listed.
 *
 * @param source    whether the source plays as a rendition (IVS's {@code chunked})
 * @param rungs     transcoded renditions, highest first; empty when nothing is transcoded
 * @param audioOnly whether an audio_only rendition is listed (ADVANCED channels)
 */
public record Ladder(boolean source, List<Rung> rungs, boolean audioOnly) {
    /** The source alone: BASIC channels, and any channel that is not transcoded. */
    public static final Ladder PASSTHROUGH = new Ladder(true, List.of(), false);

    public Ladder {
        rungs = List.copyOf(rungs);
    }

    /**
     * The rung whose transcoded audio the audio_only rendition carries (its audio at
     * {@link Ladders#AUDIO_ONLY_BITRATE}), or -1 when none is listed or none carries it.
     */
    public int audioOnlyRung() {
        if (!audioOnly) {
            return -1;
        }
        for (int i = 0; i < rungs.size(); i++) {
            if (rungs.get(i).audioBitrate() == Ladders.AUDIO_ONLY_BITRATE) {
                return i;
            }
        }
        return -1;
    }

    /** Whether anything is transcoded. */
    public boolean transcodes() {
        return !rungs.isEmpty();
    }
}
