package io.openivs.server.live;

import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.DateRange;
import java.util.function.LongUnaryOperator;

/**
 * ADVANCED channels: the audio_only rendition made of the transcoder's 64 kbps AAC (one rung's
 * audio, {@link io.openivs.server.media.ladder.Ladder#audioOnlyRung()}), as IVS transcodes it,
 * instead of the source's audio remuxed. Owner thread.
 *
 * <p>The rung's frames arrive later than the source's, so the remux, which cuts where the source
 * does, is ahead: it is stopped at the rung's first aligned keyframe, and the transcoded audio takes
 * over at the source segment the remux had not finished, continuing its playlist (numbers and
 * window) with a discontinuity. A restarted child's audio takes over from the lost child's the same way.
 */
final class TranscodedAudioOnly {
    private final Renditions stream;
    /** A rung keyframe's presentation time to the source segment it starts, or -1. */
    private final LongUnaryOperator sourceSegmentAt;

    private boolean remuxStopped;
    private VideoConfig video;
    private AudioConfig audio;
    /** The rendition the current child feeds, or null until its output reaches a segment to take over at. */
    private Rendition feeding;

    TranscodedAudioOnly(Renditions stream, LongUnaryOperator sourceSegmentAt) {
        this.stream = stream;
        this.sourceSegmentAt = sourceSegmentAt;
    }

    /** A new child's output follows: it takes over at a segment start again. */
    void newChild() {
        feeding = null;
        video = null;
        audio = null;
    }

    void videoConfig(VideoConfig config) {
        video = config;
        if (feeding != null) {
            feeding.onVideoConfig(config);
        }
    }

    void audioConfig(AudioConfig config) {
        audio = config;
        if (feeding != null) {
            feeding.onAudioConfig(config);
        }
    }

    /** One frame of the rung (video too: the segmenter cuts on the rung's keyframes, as the source's). */
    void frame(MediaFrame f) {
        if (feeding == null) {
            if (!f.isVideo() || !f.isKeyframe() || video == null || audio == null) {
                return;
            }
            long sequence = sourceSegmentAt.applyAsLong(f.pts());
            if (sequence < 0) {
                return;
            }
            if (!remuxStopped) {
                remuxStopped = true;
                stream.freezeAudioOnly();
            }
            if (sequence < stream.audioOnlyNext()) {
                return; // listed already; the next segment start is where the playlist goes on
            }
            feeding = stream.takeOverAudioOnly(sequence);
            feeding.onSessionStart();
            feeding.onVideoConfig(video);
            feeding.onAudioConfig(audio);
        }
        feeding.onFrame(f);
    }

    /** The session ended: the open segment is finished and listed, as the source's remux lists its own. */
    void sessionEnd() {
        if (feeding != null) {
            feeding.onSessionEnd();
        }
    }

    void metadata(TimedMetadata item) {
        if (feeding != null) {
            feeding.onTimedMetadata(item);
        }
    }

    void dateRange(DateRange range) {
        if (feeding != null) {
            feeding.onDateRange(range);
        }
    }
}
