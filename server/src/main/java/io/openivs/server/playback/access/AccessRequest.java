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
 */
public record AccessRequest(String channelName, boolean master, String token, String origin, InetAddress client) {
}
