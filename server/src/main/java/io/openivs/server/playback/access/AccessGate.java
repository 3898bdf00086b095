package io.openivs.server.playback.access;

import java.util.concurrent.CompletionStage;

/**
 * Whether a viewer may have what a playback request names: the layer between reading a request and
 * answering it. {@link PlaybackGate} is the real one.
 */
public interface AccessGate {
    /** The verdict from memory, on the event loop, or null when {@link #settle} must finish it. Never blocks. */
    Verdict decide(AccessRequest r);

    /** Completes what {@link #decide} could not, off the event loop. */
    CompletionStage<Verdict> settle(AccessRequest r);
}
