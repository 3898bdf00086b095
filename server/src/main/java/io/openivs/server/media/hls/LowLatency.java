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
 */
public record LowLatency(long partTargetTicks, PartUri partUri, List<Part> inProgress, long nextSequence,
        boolean nextIsDiscontinuity) {

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
