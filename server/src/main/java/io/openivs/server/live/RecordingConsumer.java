package io.openivs.server.live;

import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.Segmenter;

/**
 * The recording's own TS segmenter on an fMP4 channel. Its recordings carry no timed metadata or
 * ad breaks (as before the split: only the live renditions get them).
 */
final class RecordingConsumer implements StreamConsumer {
    final Segmenter segmenter;

    RecordingConsumer(Segmenter segmenter) {
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
