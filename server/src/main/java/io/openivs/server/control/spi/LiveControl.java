package io.openivs.server.control.spi;

/**
 * How the control API reaches live streams. A stream is owned by the node its
 * publisher is connected to; the API may run on any node, so requests that
 * must reach the owner are recorded in the store first (a stop flag, or a
 * {@link Cues cue} when no local stream took the request) and this
 * interface only lets a local owner act at once instead of at its next poll.
 */
public interface LiveControl {
    /** StopStream was recorded for this session. */
    void stopRequested(String streamId);

    /** Inserts timed metadata at the live edge; false if no stream of this node matches. */
    boolean putMetadata(String streamId, String text);

    /**
     * Marks an ad break of {@code durationSeconds} at the live edge (the caller has already begun
     * it in the session row, which keeps breaks from overlapping); false if no stream of this node matches.
     */
    boolean insertAdBreak(String streamId, String adBreakId, int durationSeconds);
}
