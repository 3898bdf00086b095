package io.openivs.server.playback;

import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.Prefetch;
import io.openivs.server.media.hls.Segment;
import java.util.List;

/**
 * What a live media playlist is rendered from ({@link Playlists#media}), as one value: its callers name
 * what they mean ({@link #regular}, {@link #withChildQuery}) instead of filling a long parameter list
 * with nulls and empty strings in the right order. A public window makes one per window, that is per
 * state ({@link PlaybackWindow}); the owner makes one per LL-HLS answer, and {@link MediaPlaylistCache}
 * checks it against the state it last rendered without making anything more, so a cached answer
 * allocates no more than when the cache took the values one by one.
 *
 * @param segments       the finished segments in the window, oldest first; not empty when rendered
 * @param targetDuration EXT-X-TARGETDURATION, seconds
 * @param fragmentedMp4  fMP4 segments ({@code .m4s}) rather than MPEG-TS ({@code .ts})
 * @param childQuery     appended to every URI (a private channel's token), or empty
 * @param lowLatency     the LL-HLS parts to list, or null for regular HLS
 * @param prefetch       the LHLS prefetch segments to list after the last one, named exactly as they will
 *                       be once finished (LOW channels), or null for none
 * @param ended          the server is shutting down and the publisher's media has stopped: the playlist
 *                       lists no parts or prefetch segments and ends with EXT-X-ENDLIST, so players stop
 */
record MediaPlaylist(
        List<Segment> segments,
        int targetDuration,
        boolean fragmentedMp4,
        String childQuery,
        LowLatency lowLatency,
        Prefetch prefetch,
        boolean ended) {

    /** A playlist without LL-HLS parts and without a child query: what every public viewer of a window gets. */
    static MediaPlaylist regular(
            List<Segment> segments, int targetDuration, boolean fragmentedMp4, Prefetch prefetch, boolean ended) {
        return new MediaPlaylist(segments, targetDuration, fragmentedMp4, "", null, prefetch, ended);
    }

    /** The same playlist for a viewer whose URIs carry {@code query} (a private channel's token). */
    MediaPlaylist withChildQuery(String query) {
        return new MediaPlaylist(segments, targetDuration, fragmentedMp4, query, lowLatency, prefetch, ended);
    }
}
