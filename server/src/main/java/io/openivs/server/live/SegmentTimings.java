package io.openivs.server.live;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Optional per-segment timing log for benchmarks (bench/ingest): when its logger is at DEBUG, each
 * segment that enters a live playlist is logged with the wall-clock time it was listed and the time
 * the last media message before it arrived from the publisher. Off by default; the checks are one
 * boolean read per message.
 */
final class SegmentTimings {
    private static final Logger log = LoggerFactory.getLogger(SegmentTimings.class);

    private final String playbackName;
    private final boolean enabled = log.isDebugEnabled();
    private long lastArrivalMicros;
    private long arrivalMicros;

    SegmentTimings(String playbackName) {
        this.playbackName = playbackName;
    }

    /** Before a media message is handed to the demuxer (owner thread). */
    void messageArriving() {
        if (enabled) {
            lastArrivalMicros = arrivalMicros;
            arrivalMicros = nowMicros();
        }
    }

    /**
     * A segment was listed while the message being handled was demuxed; that message opened the
     * next segment, so the segment's own last message is the one before it.
     */
    void listed(long sequence, long durationTicks) {
        if (enabled) {
            log.debug(
                    "segment {} {} listed {} lastFrame {} duration {}",
                    playbackName,
                    sequence,
                    nowMicros(),
                    lastArrivalMicros,
                    durationTicks);
        }
    }

    private static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }
}
