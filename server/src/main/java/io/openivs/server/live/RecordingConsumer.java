package io.openivs.server.live;

import io.openivs.server.media.hls.Segmenter;

/**
 * The recording's own TS segmenter on an fMP4 channel. Its recordings carry no timed metadata or
 * ad breaks (as before the split: only the live renditions get them).
 */
final class RecordingConsumer extends SegmenterConsumer {
    RecordingConsumer(Segmenter segmenter) {
        super(segmenter);
    }
}
