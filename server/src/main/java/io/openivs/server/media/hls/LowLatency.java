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
 * @param reports the other renditions of the stream, reported at the end of the playlist
 */
public record LowLatency(
        long partTargetTicks,
        PartUri partUri,
        List<Part> inProgress,
        long nextSequence,
        boolean nextIsDiscontinuity,
        long inProgressDate,
        List<RenditionReport> reports) {

    public LowLatency(
            long partTargetTicks,
            PartUri partUri,
            List<Part> inProgress,
            long nextSequence,
            boolean nextIsDiscontinuity,
            long inProgressDate) {
        this(partTargetTicks, partUri, inProgress, nextSequence, nextIsDiscontinuity, inProgressDate, List.of());
    }

    public LowLatency(
            long partTargetTicks,
            PartUri partUri,
            List<Part> inProgress,
            long nextSequence,
            boolean nextIsDiscontinuity) {
        this(partTargetTicks, partUri, inProgress, nextSequence, nextIsDiscontinuity, Long.MIN_VALUE, List.of());
    }

    /** The same state, reporting {@code others}. */
    public LowLatency withReports(List<RenditionReport> others) {
        return new LowLatency(
                partTargetTicks, partUri, inProgress, nextSequence, nextIsDiscontinuity, inProgressDate, others);
    }

    /**
     * What a report on this rendition says: its last part as its playlist lists it (those of the
     * segment being written, unless left out before a discontinuity), else its newest segment's
     * last part; null while it has no segment.
     *
     * @param segments the rendition's finished segments, oldest first
     */
    public RenditionReport report(String uri, List<Segment> segments) {
        if (!inProgress.isEmpty() && !nextIsDiscontinuity) {
            return new RenditionReport(uri, nextSequence, inProgress.size() - 1);
        }
        if (segments.isEmpty()) {
            return null;
        }
        Segment last = segments.get(segments.size() - 1);
        return new RenditionReport(uri, last.sequence(), last.parts().size() - 1);
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
