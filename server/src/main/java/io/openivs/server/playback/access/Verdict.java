package io.openivs.server.playback.access;

/**
 * The answer to an {@link AccessRequest}: either allowed, with what the response must carry, or refused.
 *
 * @param denied        the refusal, or null when allowed
 * @param allowOrigin   the Access-Control-Allow-Origin value
 * @param childQuery    appended to the URIs a playlist lists ("?token=..." on private channels, else "")
 * @param maxResolution renditions above this are hidden; null for no limit
 */
public record Verdict(AccessDenied denied, String allowOrigin, String childQuery, ResolutionClass maxResolution) {
    static final Verdict PUBLIC = new Verdict(null, "*", "", null);

    static Verdict deny(AccessDenied why) {
        return new Verdict(why, null, null, null);
    }

    public boolean allowed() {
        return denied == null;
    }
}
