package io.openivs.server.playback.access;

/**
 * The answer to an {@link AccessRequest}: either allowed, with what the response must carry, or refused.
 *
 * @param denied        the refusal, or null when allowed
 * @param allowOrigin   the Access-Control-Allow-Origin value
 * @param childQuery    appended to the URIs a playlist lists ("?ticket=..." on private channels, else "")
 * @param maxResolution renditions above this are hidden; null for no limit
 * @param playlistQuery appended to the playlist URIs a media playlist lists (its rendition reports): the
 *                      ticket the viewer reloads with, which lives longer than a segment's
 */
public record Verdict(
        AccessDenied denied,
        String allowOrigin,
        String childQuery,
        ResolutionClass maxResolution,
        String playlistQuery) {
    static final Verdict PUBLIC = new Verdict(null, "*", "", null);

    /** A verdict whose playlist URIs carry the same query as the rest. */
    public Verdict(AccessDenied denied, String allowOrigin, String childQuery, ResolutionClass maxResolution) {
        this(denied, allowOrigin, childQuery, maxResolution, childQuery);
    }

    static Verdict deny(AccessDenied why) {
        return new Verdict(why, null, null, null);
    }

    public boolean allowed() {
        return denied == null;
    }
}
