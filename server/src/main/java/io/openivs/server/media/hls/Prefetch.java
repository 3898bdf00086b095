package io.openivs.server.media.hls;

import java.util.function.LongFunction;

/**
 * Where a live stream stands for the LHLS prefetch form (the hlsjs-rfcs LHLS proposal, which
 * Amazon's IVS player reads): the segment being written, or next to be written, whose bytes a
 * player may fetch while they are written, and the one after it.
 *
 * @param sequence      the sequence number of the segment being (or next to be) written: the one
 *                      after the playlist's last finished segment
 * @param writing       whether that segment is being written now
 * @param discontinuity whether it follows a discontinuity: then nothing is listed until it is
 *                      finished, so it comes with its EXT-X-DISCONTINUITY (and, fMP4, its EXT-X-MAP)
 *                      like any finished segment
 */
public record Prefetch(long sequence, boolean writing, boolean discontinuity) {

    /** Prefetch segments listed: the one being written and the next, as IVS lists them. */
    public static final int LISTED = 2;

    /** Whether a playlist made now lists segment {@code number} as a prefetch segment. */
    public boolean lists(long number) {
        return !discontinuity && number >= sequence && number < sequence + LISTED;
    }

    /**
     * Appends the {@code #EXT-X-PREFETCH} lines, after the last finished segment (and nothing when
     * the next segment follows a discontinuity).
     *
     * @param uri a segment's URI by sequence number: exactly what it is listed as once finished
     */
    public StringBuilder appendTo(StringBuilder out, LongFunction<String> uri) {
        if (!discontinuity) {
            for (int i = 0; i < LISTED; i++) {
                out.append("#EXT-X-PREFETCH:").append(uri.apply(sequence + i)).append('\n');
            }
        }
        return out;
    }
}
