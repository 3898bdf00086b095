package io.openivs.server.recording;

import io.openivs.server.media.hls.Segment;
import java.util.List;

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

    /**
     * A rendition the stream plays, offered for recording.
     *
     * @param rung the transcoded rendition's IVS name ({@code 480p30}), or null for the source
     */
    record Offered(String rung, int width, int height, int frameRate) {}

    /**
     * What the recording configuration records of what was offered.
     *
     * @param source whether the source is stored (its segments still come, for thumbnails and the duration)
     * @param rungs  the transcoded renditions stored, in the order offered
     */
    record Selection(boolean source, List<String> rungs) {
        public static final Selection SOURCE = new Selection(true, List.of());

        public Selection {
            rungs = List.copyOf(rungs);
        }

        public boolean records(String rung) {
            return rungs.contains(rung);
        }
    }

    /**
     * The stream's renditions once its ladder is known, before their segments (owner thread): which
     * to record. A stream that never offers is recorded as its source alone would be.
     */
    default Selection select(List<Offered> renditions) {
        return Selection.SOURCE;
    }

    /** A finished live segment of the source, borrowed for the duration of the call. */
    void segment(Segment segment);

    /** A finished MPEG-TS segment of a selected transcoded rendition, borrowed for the duration of the call. */
    default void segment(String rung, Segment segment) {}

    /** The stream is over; no segment follows. */
    void ended();
}
