package io.openivs.server.media.hls;

import java.util.List;

/**
 * What an LL-HLS media playlist says beyond the finished segments: the part target, the parts
 * of the segment being written and where the next part will be.
 *
 * @param partTargetTicks the longest a part may be, 90 kHz ticks
 * @param partUri the URI of part {@code index} of segment {@code sequence}, relative to the playlist
 * @param inProgress finished parts of segment {@code nextSequence}, which is still being written
 * @param nextSequence the sequence number of the segment being (or next to be) written
 * @param nextIsDiscontinuity whether that segment follows a discontinuity: its parts are then left
 *        out until it is finished, so the tags that go before a discontinuous segment stay simple
 * @param inProgressDate the program date-time of the segment being written, or {@link Long#MIN_VALUE}
 *        when none is open: listed before its parts, so a player at the live edge dates the frames
 *        it shows by their arrival, not by extrapolating from the previous segment
 */
public record LowLatency(long partTargetTicks, PartUri partUri, List<Part> inProgress, long nextSequence,
        boolean nextIsDiscontinuity, long inProgressDate) {

    public LowLatency(long partTargetTicks, PartUri partUri, List<Part> inProgress, long nextSequence,
            boolean nextIsDiscontinuity) {
        this(partTargetTicks, partUri, inProgress, nextSequence, nextIsDiscontinuity, Long.MIN_VALUE);
    }

    /** Finished segments whose parts the playlist lists, counted back from the live edge. */
    public static final int SEGMENTS_WITH_PARTS = 3;

    /** Names a part. */
    @FunctionalInterface
    public interface PartUri {
        String of(long sequence, int index);
    }

    /** PART-TARGET in whole milliseconds, rounded up so no part exceeds what the playlist declares. */
    public double partTargetSeconds() {
        return Math.ceil(partTargetTicks / 90.0) / 1000.0;
    }
}
