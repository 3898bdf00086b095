package io.openivs.server.resource;

/** What the control API and the node owning a stream agree on about its session row. */
public final class StreamSessions {
    /** A live session whose owner has not refreshed it for this long is treated as gone (its node died). */
    public static final long STALE_MS = 15_000;

    private StreamSessions() {
    }
}
