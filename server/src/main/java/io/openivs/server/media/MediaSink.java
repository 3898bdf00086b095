package io.openivs.server.media;

/**
 * What a live stream fans its media out to (HLS segmenter, recorder, ...). All calls for one
 * stream come from that stream's owner thread, in order: configs before the frames that need
 * them, frames in decode order per track.
 */
public interface MediaSink {

    /** A publisher session begins: timestamps restart and codec configs will be re-sent. */
    void onSessionStart();

    /** The video codec configuration, sent before the first video frame and again whenever the publisher re-sends it. */
    void onVideoConfig(VideoConfig config);

    /** The audio codec configuration, sent before the first audio frame and again whenever the publisher re-sends it. */
    void onAudioConfig(AudioConfig config);

    /** A frame, borrowed for the duration of the call: {@link MediaFrame#retain()} it to keep it. */
    void onFrame(MediaFrame frame);

    /**
     * Timed metadata to show at {@link TimedMetadata#pts()}, on the frames' clock. A sink whose
     * output cannot carry it ignores it.
     */
    default void onTimedMetadata(TimedMetadata item) {}

    /** An ad break the encoder announced in-band (SCTE-35); a sink with no use for it ignores it. */
    default void onSpliceCue(SpliceCue cue) {}

    /** The publisher session ended (disconnect, StopStream): no more frames until the next {@link #onSessionStart()}. */
    void onSessionEnd();
}
