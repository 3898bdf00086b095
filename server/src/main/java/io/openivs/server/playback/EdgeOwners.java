package io.openivs.server.playback;

import java.net.InetSocketAddress;

/** Which other node owns a live stream, for an edge to relay it from. */
@FunctionalInterface
public interface EdgeOwners {
    /**
     * The owner of the stream the channel plays when another live node owns it, else null. From memory: any
     * thread, never blocks.
     */
    Owner owner(String channelName);

    /**
     * @param streamId the live session's stream id (edge viewers are counted under it)
     * @param address  the owner's internal address, already resolved (no DNS lookup on an event loop)
     */
    record Owner(String streamId, InetSocketAddress address) {}
}
