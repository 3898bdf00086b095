package io.openivs.server.live;

import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.Segmenter;

/** A consumer whose media goes into one segmenter: a rendition's, or the recording's. Owner thread only. */
abstract class SegmenterConsumer implements StreamConsumer {
    final Segmenter segmenter;

    SegmenterConsumer(Segmenter segmenter) {
        this.segmenter = segmenter;
    }

    @Override
    public void onSessionStart() {
        segmenter.onSessionStart();
    }

    @Override
    public void onVideoConfig(VideoConfig config) {
        segmenter.onVideoConfig(config);
    }

    @Override
    public void onAudioConfig(AudioConfig config) {
        segmenter.onAudioConfig(config);
    }

    @Override
    public void onFrame(MediaFrame frame) {
        segmenter.onFrame(frame);
    }

    @Override
    public void onSessionEnd() {
        segmenter.onSessionEnd();
    }
}
