package io.openivs.server.live;

import io.openivs.server.media.hls.Segmenter;

/**
 * A dropped publisher's playlists, kept for a reconnect to continue: the stream's rendition and,
 * on LL-HLS channels, its audio_only rendition (null otherwise).
 */
record Parked(Segmenter.Continuation main, Segmenter.Continuation audioOnly) {

    /** Releases the windows' bytes, for playlists nobody took up. */
    void release() {
        main.release();
        releaseAudioOnly();
    }

    void releaseAudioOnly() {
        if (audioOnly != null) {
            audioOnly.release();
        }
    }
}
