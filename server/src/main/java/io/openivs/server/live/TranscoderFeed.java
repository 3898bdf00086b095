package io.openivs.server.live;

import io.openivs.server.live.transcode.Transcoder;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.VideoConfig;

/** A transcoder as a consumer of a {@link FrameHandOff}: what the source sends, on the transcoder's feeder thread. */
final class TranscoderFeed implements StreamConsumer {
    private final Transcoder transcoder;

    TranscoderFeed(Transcoder transcoder) {
        this.transcoder = transcoder;
    }

    @Override
    public void onSessionStart() {
        transcoder.onSessionStart();
    }

    @Override
    public void onVideoConfig(VideoConfig config) {
        transcoder.onVideoConfig(config);
    }

    @Override
    public void onAudioConfig(AudioConfig config) {
        transcoder.onAudioConfig(config);
    }

    @Override
    public void onFrame(MediaFrame frame) {
        transcoder.onFrame(frame);
    }

    @Override
    public void onSessionEnd() {
        transcoder.onSessionEnd();
    }
}
