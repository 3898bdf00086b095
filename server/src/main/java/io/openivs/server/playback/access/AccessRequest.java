package io.openivs.server.playback.access;

import java.net.InetAddress;

/**
 * What the access check needs of one playback request.
 *
 * @param channelName "{region}.{account}.channel.{id}" from the URL
 * @param master      the multivariant playlist (where playback starts) rather than a media playlist or segment
 * @param token       the {@code token} query parameter, or null
 * @param origin      the Origin header, or null
 * @param client      the viewer's address (X-Forwarded-For's first entry when the operator trusts it)
 * @param ticket      the {@code ticket} query parameter (a session ticket the master playlist issued), or null
 * @param playlist    a media playlist, whose answer lists URLs that need fresh tickets
 */
public record AccessRequest(
        String channelName,
        boolean master,
        String token,
        String origin,
        InetAddress client,
        String ticket,
        boolean playlist) {
    /** A request without a ticket that lists nothing (a segment, or a master playlist when {@code master}). */
    public AccessRequest(String channelName, boolean master, String token, String origin, InetAddress client) {
        this(channelName, master, token, origin, client, null, false);
    }
}
