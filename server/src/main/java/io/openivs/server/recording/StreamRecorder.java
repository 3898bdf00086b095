package io.openivs.server.recording;

import io.openivs.server.media.hls.Segment;

/**
 * What a live stream tells the recorder. Called on the stream's owner thread (an event loop):
 * implementations take their own reference to the bytes and return at once.
 */
public interface StreamRecorder {
    /** A channel without recording. */
    StreamRecorder NONE = new StreamRecorder() {
        @Override
        public void segment(Segment segment) {}

        @Override
        public void ended() {}
    };

    /** A finished live segment, borrowed for the duration of the call. */
    void segment(Segment segment);

    /** The stream is over; no segment follows. */
    void ended();
}
