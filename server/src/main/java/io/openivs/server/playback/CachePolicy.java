package io.openivs.server.playback;

import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.AsciiString;
import io.openivs.server.playback.access.Verdict;

/** The Cache-Control of each kind of playback answer. */
enum CachePolicy {
    /** Live playlists change every part or segment: a CDN may hold one for a second. */
    PLAYLIST(AsciiString.cached("max-age=1")),
    /** A segment or part never changes once listed: anyone may keep it. */
    SHARED_MEDIA(AsciiString.cached("public, max-age=31536000, immutable")),
    /** A private channel's media (its URLs carry a session ticket): only the viewer's own cache may keep it. */
    PRIVATE_MEDIA(AsciiString.cached("private, max-age=31536000, immutable")),
    /**
     * Errors, and init segments: their names restart with each session (init-0.mp4: hls.js cannot
     * cope with a large EXT-X-DISCONTINUITY-SEQUENCE), so they must not be cached as immutable.
     */
    NO_CACHE(HttpHeaderValues.NO_CACHE);

    final AsciiString value;

    CachePolicy(AsciiString value) {
        this.value = value;
    }

    /** Segments and parts: shared unless the channel is private. */
    static CachePolicy media(Verdict verdict) {
        return verdict.childQuery().isEmpty() ? SHARED_MEDIA : PRIVATE_MEDIA;
    }
}
