package io.openivs.server.playback.access;

import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.Segment;
import java.util.List;

/**
 * What a verdict's {@code aws:maximum-resolution} leaves a viewer to play. A rendition is judged by
 * its newest segment's video (the one a player would load next); audio-only renditions and windows
 * with no segment yet are always admitted. A channel whose only rendition is hidden is refused outright:
 * an empty multivariant playlist would only make the player fail later and less clearly.
 */
public final class RenditionPolicy {
    private RenditionPolicy() {}

    /** Whether the verdict admits a rendition of this video (null: audio only). */
    public static boolean admits(Verdict verdict, VideoConfig video) {
        ResolutionClass max = verdict.maxResolution();
        return max == null || video == null || max.admits(video.width(), video.height());
    }

    /** Whether the verdict admits the rendition whose window this is, judged by its newest segment. */
    public static boolean admits(Verdict verdict, List<Segment> window) {
        return verdict.maxResolution() == null
                || window.isEmpty()
                || admits(verdict, window.get(window.size() - 1).video());
    }

    /** The refusal for a viewer whose token admits no rendition of the channel, or null when one is admitted. */
    public static AccessDenied refusal(Verdict verdict, List<Segment> window) {
        return admits(verdict, window)
                ? null
                : new AccessDenied(AccessDenied.TOKEN, "no rendition within the token's aws:maximum-resolution");
    }
}
