package io.openivs.server.live;

import io.openivs.server.control.spi.Cues;
import io.openivs.server.store.StreamCue;

/** How a stream's owner carries out the {@link Cues cues} the control API left for it, at its heartbeat. */
final class StreamCues {
    private StreamCues() {}

    /** Carries out a cue on its stream; false if the stream is not live here any more. */
    static boolean apply(LiveStream stream, StreamCue cue) {
        switch (cue.kind()) {
            case Cues.METADATA:
                return stream.putMetadata(cue.body());
            case Cues.AD_BREAK: {
                Cues.AdBreak b = Cues.AdBreak.of(cue);
                return stream.insertAdBreak(b.adBreakId(), b.durationSeconds());
            }
            default:
                return false; // written by a newer version: nothing this one can do with it
        }
    }
}
