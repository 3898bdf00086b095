package io.openivs.server.live;

import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StreamCue;
import io.openivs.server.store.StreamSessionRow;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's share of a heartbeat: refreshes the session row and picks up what another node
 * recorded for this stream: a StopStream, timed metadata and ad breaks (which thus land up to one
 * beat late). Worker thread.
 */
final class StreamBeat {
    private static final Logger log = LoggerFactory.getLogger(StreamBeat.class);

    private final LiveStream stream;
    private final long now;
    private final String doc;
    private List<StreamCue> cues = List.of();
    private Optional<StreamSessionRow> row = Optional.empty();

    StreamBeat(LiveStream stream, long now, String doc) {
        this.stream = stream;
        this.now = now;
        this.doc = doc;
    }

    /** The session document measured for this beat. */
    String document() {
        return doc;
    }

    /** Inside the heartbeat's transaction. */
    void write(ResourceStore.Tx tx) {
        tx.touchSession(stream.streamId, now, stream.hasError(), doc);
        cues = tx.takeCues(stream.streamId);
        row = tx.session(stream.channelArn, stream.streamId);
    }

    /** After the transaction committed. */
    void apply() {
        if (row.isEmpty() || row.get().stopRequested() || !row.get().live()) {
            stream.stop("StopStream");
        }
        for (StreamCue cue : cues) {
            if (!StreamCues.apply(stream, cue)) {
                log.debug("cue {} of stream {} dropped: the stream is not live here", cue.kind(), stream.streamId);
            }
        }
    }
}
