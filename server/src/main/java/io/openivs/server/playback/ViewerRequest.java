package io.openivs.server.playback;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.NetUtil;
import io.openivs.server.net.KeepAlive;
import io.openivs.server.playback.access.AccessRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One viewer request as playback reads it: what it names, how to answer (HEAD, keep-alive,
 * chunked allowed), and what the access gate needs (token, Origin, the viewer's address). Made by
 * {@link #read} from the decoded request without sockets; every field is final, so the owner
 * thread and a settling gate may read it later.
 *
 * @param error     404 or 405 when the request names nothing playback serves (then {@code path} is null)
 * @param path      what the URL names
 * @param uri       the request target, query included
 * @param q         the index of '?' in {@code uri}, or -1
 * @param head      HEAD rather than GET: the same headers, no body
 * @param chunked   whether the client speaks HTTP/1.1, so the hinted LL-HLS part can stream as it grows
 *                  (an HTTP/1.0 client gets it whole, once finished)
 * @param origin    the Origin header, or null
 * @param client    the viewer's address, or null when unknown
 * @param namesHlsType whether a media playlist request's Accept header names {@code application/x-mpegURL}
 *                  ({@link HlsAccept}); false for every other request
 */
record ViewerRequest(
        HttpResponseStatus error,
        PlaybackPath path,
        String uri,
        int q,
        boolean head,
        KeepAlive keepAlive,
        boolean chunked,
        String origin,
        InetAddress client,
        boolean namesHlsType,
        long arrived,
        PlaybackCounters counters) {

    /**
     * @param remote            the connection's peer
     * @param trustForwardedFor take the viewer's address from X-Forwarded-For (only behind a proxy that sets it)
     */
    static ViewerRequest read(HttpRequest req, SocketAddress remote, boolean trustForwardedFor) {
        return read(req, remote, trustForwardedFor, null);
    }

    /** @param counters where the answer's latency is counted (null: nowhere) */
    static ViewerRequest read(
            HttpRequest req, SocketAddress remote, boolean trustForwardedFor, PlaybackCounters counters) {
        long arrived = System.nanoTime();
        KeepAlive keepAlive = KeepAlive.of(req);
        boolean head = HttpMethod.HEAD.equals(req.method());
        String uri = req.uri();
        int q = uri.indexOf('?');
        boolean chunked = HttpVersion.HTTP_1_1.equals(req.protocolVersion());
        if (!head && !HttpMethod.GET.equals(req.method())) {
            return new ViewerRequest(
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    null,
                    uri,
                    q,
                    false,
                    keepAlive,
                    chunked,
                    null,
                    null,
                    false,
                    arrived,
                    counters);
        }
        PlaybackPath path = PlaybackPath.parse(q < 0 ? uri : uri.substring(0, q));
        if (path == null) {
            return new ViewerRequest(
                    HttpResponseStatus.NOT_FOUND,
                    null,
                    uri,
                    q,
                    head,
                    keepAlive,
                    chunked,
                    null,
                    null,
                    false,
                    arrived,
                    counters);
        }
        return new ViewerRequest(
                null,
                path,
                uri,
                q,
                head,
                keepAlive,
                chunked,
                req.headers().get(HttpHeaderNames.ORIGIN),
                clientAddress(req, remote, trustForwardedFor),
                // Only a media playlist's text depends on it: no other request's header is read.
                path.kind() == PlaybackPath.Kind.MEDIA
                        && HlsAccept.namesHlsType(req.headers().get(HttpHeaderNames.ACCEPT)),
                arrived,
                counters);
    }

    /** The answer is being written: its latency from the request's arrival is counted by kind. Once per request. */
    void answered() {
        if (counters != null && path != null) {
            counters.answered(path.kind(), System.nanoTime() - arrived);
        }
    }

    /** What the access gate is asked about this request. */
    AccessRequest access() {
        return new AccessRequest(
                path.name(),
                path.kind() == PlaybackPath.Kind.MASTER,
                QueryToken.find(uri, q),
                origin,
                client,
                QueryToken.find(uri, q, "ticket="),
                path.kind() == PlaybackPath.Kind.MEDIA);
    }

    /** The query with its '?' ("" when none), for parameters such as {@code _HLS_msn}. */
    String query() {
        return q < 0 ? "" : uri.substring(q);
    }

    /** The path without the query. */
    String pathText() {
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** The request's path and query with the token left out: what an error body may echo. */
    String echoedUrl() {
        return q < 0 ? uri : uri.substring(0, q) + QueryToken.without(uri.substring(q));
    }

    /** The peer, or X-Forwarded-For's first (client-most) address when the operator trusts the proxy in front. */
    private static InetAddress clientAddress(HttpRequest req, SocketAddress remote, boolean trustForwardedFor) {
        if (trustForwardedFor) {
            String xff = req.headers().get("X-Forwarded-For");
            if (xff != null) {
                int comma = xff.indexOf(',');
                // Literal addresses only: a host name here would mean a DNS lookup on the event loop.
                InetAddress a = NetUtil.createInetAddressFromIpAddressString(
                        (comma < 0 ? xff : xff.substring(0, comma)).strip());
                if (a != null) {
                    return a;
                }
            }
        }
        return remote instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }
}
