package io.openivs.server.live;

import io.openivs.server.events.EventBus;

/** What a {@link LiveStream} needs from the node's registry ({@link LiveStreams}; tests give their own). Any thread. */
interface StreamHost {
    long now();

    EventBus events();

    /** The stream is live: include it in the heartbeats from now on. */
    void heartbeats(LiveStream stream);

    /** A heartbeat for this stream alone, now rather than at the next tick. */
    void beatNow(LiveStream stream);

    /** Keeps a dropped publisher's playlists for a reconnect. */
    void park(String channelArn, Parked playlists);

    /** The session is over on the owner thread: write its end on a worker, then forget the stream. */
    void closed(LiveStream stream);

    /** Whether this node transcodes, and its free slots. */
    default TranscodeSlots transcoding() {
        return TranscodeSlots.OFF;
    }
}
