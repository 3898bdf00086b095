package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.Part;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.net.KeepAlive;

import io.openivs.server.playback.PlaybackPath.Kind;
import io.openivs.server.playback.access.AccessDenied;
import io.openivs.server.playback.access.AccessRequest;
import io.openivs.server.playback.access.PlaybackGate;
import io.openivs.server.playback.access.ResolutionClass;
import io.openivs.server.playback.access.Verdict;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Serves the three kinds of playback URL: the channel's multivariant playlist
 * ({@code /api/video/v1/{name}.m3u8}), its media playlist ({@code {name}/live.m3u8}) and
 * segments ({@code {name}/{sequence}.ts}, or {@code .m4s} plus {@code init-{n}.mp4} for fMP4; see
 * {@link PlaybackPath}); an LL-HLS stream's audio_only rendition has the same files under
 * {@code {name}/audio_only/}. Most requests are answered on the viewer's own event loop from the window the
 * stream's owner last published; LL-HLS playlists, parts and init segments go to the owner thread. The
 * bytes are shared, not copied, per viewer. Before anything else the {@link PlaybackGate} decides whether
 * the viewer may (token, policy). This runs for every request of every viewer, so the common path
 * allocates little: constant header values, no regular expressions, no string building.
 */
@ChannelHandler.Sharable
final class PlaybackHandler extends SimpleChannelInboundHandler<HttpRequest> {
    private static final AsciiString PLAYLIST_TYPE = AsciiString.cached("application/vnd.apple.mpegurl");
    private static final AsciiString SEGMENT_TYPE = AsciiString.cached("video/mp2t");
    private static final AsciiString FMP4_TYPE = AsciiString.cached(Fmp4Playback.SEGMENT_TYPE);
    private static final AsciiString INIT_TYPE = AsciiString.cached(Fmp4Playback.INIT_TYPE);
    private static final AsciiString PLAYLIST_CACHE = AsciiString.cached("max-age=1");
    private static final AsciiString PUBLIC_MEDIA_CACHE = AsciiString.cached("public, max-age=31536000, immutable");
    private static final AsciiString PRIVATE_MEDIA_CACHE = AsciiString.cached("private, max-age=31536000, immutable");
    private static final AsciiString ANY_ORIGIN = AsciiString.cached("*");
    /** Our own header names and values are constants or checked upstream: validating them per response is waste. */
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private final PlaybackSource source;
    private final PlaybackGate gate;
    private final boolean trustForwardedFor;

    PlaybackHandler(PlaybackSource source, PlaybackGate gate, boolean trustForwardedFor) {
        this.source = source;
        this.gate = gate;
        this.trustForwardedFor = trustForwardedFor;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpRequest req) {
        KeepAlive keepAlive = KeepAlive.of(req);
        boolean head = HttpMethod.HEAD.equals(req.method());
        if (!head && !HttpMethod.GET.equals(req.method())) {
            reply(ctx, status(HttpResponseStatus.METHOD_NOT_ALLOWED), "*", false, keepAlive);
            return;
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        PlaybackPath url = PlaybackPath.parse(q < 0 ? uri : uri.substring(0, q));
        if (url == null) {
            reply(ctx, status(HttpResponseStatus.NOT_FOUND), "*", head, keepAlive);
            return;
        }
        InetAddress client = clientAddress(ctx, req);
        AccessRequest access = new AccessRequest(url.name(), url.kind() == Kind.MASTER, QueryToken.find(uri, q),
                req.headers().get(HttpHeaderNames.ORIGIN), client);
        // Access first, before looking at the stream: without a token, a private channel's state stays hidden.
        Verdict verdict = gate.decide(access);
        if (verdict != null) {
            serve(ctx, verdict, url, head, keepAlive, uri, q, client, req.protocolVersion());
        } else {
            gate.settle(access).thenAccept(v -> serve(ctx, v, url, head, keepAlive, uri, q, client,
                    req.protocolVersion()));
        }
    }

    /**
     * @param q the index of '?' in {@code uri}, or -1
     * @param version the request's: only HTTP/1.1 has chunked transfer encoding, so an HTTP/1.0
     *        client gets the hinted part whole, once finished, instead of as it grows
     */
    private void serve(ChannelHandlerContext ctx, Verdict verdict, PlaybackPath url, boolean head, KeepAlive keepAlive,
                       String uri, int q, InetAddress client, HttpVersion version) {
        if (!verdict.allowed()) {
            reply(ctx, Refusals.forbidden(q < 0 ? uri : uri.substring(0, q) + QueryToken.without(uri.substring(q)),
                    verdict.denied()), "*", head, keepAlive);
            return;
        }
        Kind kind = url.kind();
        LiveRendition live = source.find(url.name());
        if (url.audioOnly() && live != null) {
            LiveRendition audio = live.sibling();
            live = audio != null && audio.audioOnly() ? audio : null;
        }
        if (url.rendition() != null && live != null) {
            live = live.rendition(url.rendition());
        }
        // A segment URL of the other container, or an init segment of a TS channel, names nothing.
        if (live == null || kind == Kind.SEGMENT && live.fragmentedMp4() != url.fmp4()
                || (kind == Kind.INIT || kind == Kind.PART) && !live.fragmentedMp4()) {
            reply(ctx, status(HttpResponseStatus.NOT_FOUND), verdict.allowOrigin(), head, keepAlive);
            return;
        }
        if (kind != Kind.SEGMENT && kind != Kind.PART) {
            live.viewer(client);
        }
        PlaybackWindow window = live.window();
        if (window != null && (kind == Kind.MASTER || kind == Kind.SEGMENT
                || kind == Kind.MEDIA && window.servesMedia())) {
            // The common case, on this connection's own loop: the owner published what it needs.
            if (kind != Kind.SEGMENT && !head && keepAlive == KeepAlive.KEEP && isPublic(verdict)) {
                // A public playlist: the whole response was encoded with the window, one shared buffer.
                ByteBuf encoded = kind == Kind.MASTER ? window.encodedMaster() : window.encodedMedia();
                if (encoded != null) {
                    ctx.writeAndFlush(encoded);
                    return;
                }
            }
            reply(ctx, fromWindow(window, url, head, verdict, uri, q), verdict.allowOrigin(), head, keepAlive);
            return;
        }
        String query = q < 0 ? "" : uri.substring(q);
        String path = q < 0 ? uri : uri.substring(0, q);
        try {
            // LL-HLS blocking requests (a reload with _HLS_msn, the hinted part) wait on the owner
            // thread for the part they name, except that the part being written is streamed as it
            // grows; every other request is answered at once.
            boolean blockingReload = kind == Kind.MEDIA && live.fragmentedMp4();
            long msn = blockingReload ? LowLatencyPlayback.number(query, "_HLS_msn")
                    : kind == Kind.PART ? url.sequence() : -1;
            int msnPart = blockingReload ? (int) Math.min(LowLatencyPlayback.number(query, "_HLS_part"), 9999)
                    : url.part();
            LiveRendition rendition = live;
            boolean chunked = HttpVersion.HTTP_1_1.equals(version);
            live.owner().execute(() -> {
                if (kind == Kind.PART && chunked
                        && streamPart(ctx, rendition, url, head, keepAlive, verdict, path, query)) {
                    return;
                }
                LowLatencyPlayback.whenReady(rendition, verdict.childQuery(), kind == Kind.PART, msn, msnPart,
                        wait -> reply(ctx, wait == LowLatencyPlayback.Wait.READY
                                ? answer(rendition, url, head, verdict, path, query)
                                : status(wait == LowLatencyPlayback.Wait.BAD_REQUEST ? HttpResponseStatus.BAD_REQUEST
                                        : HttpResponseStatus.SERVICE_UNAVAILABLE), verdict.allowOrigin(), head,
                                keepAlive));
            });
        } catch (RejectedExecutionException e) {
            reply(ctx, status(HttpResponseStatus.SERVICE_UNAVAILABLE), verdict.allowOrigin(), head, keepAlive);
        }
    }

    /** Whether the answer is the same for every viewer: any origin, no token, every rendition. */
    private static boolean isPublic(Verdict verdict) {
        return verdict.childQuery().isEmpty() && verdict.maxResolution() == null && "*".equals(verdict.allowOrigin());
    }

    /**
     * A public playlist's complete response, as {@link #playlist(ByteBuf)} and {@link #reply} would
     * encode it for an HTTP/1.1 keep-alive GET; {@link PlaybackWindow} makes it once per window.
     */
    static byte[] encodedPlaylist(byte[] body) {
        String head = "HTTP/1.1 200 OK\r\n"
                + HttpHeaderNames.CONTENT_TYPE + ": " + PLAYLIST_TYPE + "\r\n"
                + HttpHeaderNames.CACHE_CONTROL + ": " + PLAYLIST_CACHE + "\r\n"
                + HttpHeaderNames.CONTENT_LENGTH + ": " + body.length + "\r\n"
                + HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN + ": " + ANY_ORIGIN + "\r\n\r\n";
        byte[] ascii = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(ascii, ascii.length + body.length);
        System.arraycopy(body, 0, out, ascii.length, body.length);
        return out;
    }

    /** Any thread: a playlist or segment from the owner's published window. */
    private static FullHttpResponse fromWindow(PlaybackWindow window, PlaybackPath url, boolean head, Verdict verdict,
                                               String uri, int q) {
        // With transcoded renditions the master lists those within the token's class (160p always is).
        FullHttpResponse refused = url.kind() == Kind.MASTER && window.hasRungs() ? null
                : aboveMaxResolution(window.segments(), verdict, uri, q);
        if (refused != null) {
            return refused;
        }
        String childQuery = verdict.childQuery();
        if (url.kind() == Kind.SEGMENT) {
            Segment s = window.segment(url.sequence());
            ByteBuf body = s == null ? null : head ? Unpooled.EMPTY_BUFFER : s.tryRetainedData();
            return body == null ? status(HttpResponseStatus.NOT_FOUND)
                    : media(body, s.size(), window.fragmentedMp4() ? FMP4_TYPE : SEGMENT_TYPE, childQuery);
        }
        ByteBuf text = url.kind() == Kind.MASTER ? window.master(childQuery, verdict.maxResolution())
                : window.media(childQuery);
        // No finished segment yet: the channel is not playable, as for an offline one.
        return text == null ? status(HttpResponseStatus.NOT_FOUND) : playlist(text);
    }

    /** A 403 when the only rendition is above the token's class (hidden, so nothing is left to play), else null. */
    private static FullHttpResponse aboveMaxResolution(List<Segment> segments, Verdict verdict, String uri, int q) {
        ResolutionClass max = verdict.maxResolution();
        if (max != null && !segments.isEmpty()) {
            VideoConfig video = segments.get(segments.size() - 1).video();
            if (video != null && !max.admits(video.width(), video.height())) {
                return Refusals.forbidden(q < 0 ? uri : uri.substring(0, q) + QueryToken.without(uri.substring(q)),
                        new AccessDenied(AccessDenied.TOKEN, "no rendition within the token's aws:maximum-resolution"));
            }
        }
        return null;
    }

    /**
     * Owner thread: a request for the part being written (the preload hint's) is answered at once
     * and sent as it grows; false, answering nothing, for any other part.
     */
    private static boolean streamPart(ChannelHandlerContext ctx, LiveRendition live, PlaybackPath url, boolean head,
                                      KeepAlive keepAlive, Verdict verdict, String path, String query) {
        if (!live.writingPart(url.sequence(), url.part())) {
            return false;
        }
        FullHttpResponse refused = aboveMaxResolution(live.segments(), verdict, path + query, path.length());
        if (refused != null) {
            reply(ctx, refused, verdict.allowOrigin(), head, keepAlive);
            return true;
        }
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, HEADERS);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, FMP4_TYPE).set(HttpHeaderNames.CACHE_CONTROL,
                verdict.childQuery().isEmpty() ? PUBLIC_MEDIA_CACHE : PRIVATE_MEDIA_CACHE);
        allowOrigin(r, verdict.allowOrigin());
        StreamedPart.start(ctx, live, r, head, keepAlive == KeepAlive.CLOSE);
        return true;
    }

    /** Runs on the owner thread. */
    private static FullHttpResponse answer(LiveRendition live, PlaybackPath url, boolean head, Verdict verdict,
                                           String path, String query) {
        Kind kind = url.kind();
        long sequence = url.sequence();
        if (live.ended()) {
            return status(HttpResponseStatus.NOT_FOUND);
        }
        List<Segment> segments = live.segments();
        String childQuery = verdict.childQuery();
        FullHttpResponse refused = aboveMaxResolution(segments, verdict, path + query, path.length());
        if (refused != null) {
            return refused;
        }
        switch (kind) {
            case MASTER: {
                LiveRendition audio = live.sibling();
                String text = PlaybackWindow.masterPlaylist(url.name(), segments,
                        audio == null ? List.of() : audio.segments(), childQuery);
                return text == null ? status(HttpResponseStatus.NOT_FOUND) : playlist(text);
            }
            case MEDIA:
                if (segments.isEmpty()) {
                    return status(HttpResponseStatus.NOT_FOUND);
                }
                return playlist(PlaybackWindow.mediaPlaylist(segments, live.targetDurationSeconds(),
                        live.fragmentedMp4(), childQuery,
                        live.fragmentedMp4() ? LowLatencyPlayback.withReports(live, childQuery) : null));
            case INIT: {
                ByteBuf init = Fmp4Playback.initSegment(segments, sequence);
                if (init == null) {
                    return status(HttpResponseStatus.NOT_FOUND);
                }
                int size = init.readableBytes();
                if (head) {
                    init.release();
                    init = Unpooled.EMPTY_BUFFER;
                }
                FullHttpResponse r = media(init, size, INIT_TYPE, childQuery);
                // Init names restart with each session (init-0.mp4: hls.js cannot cope with a large
                // EXT-X-DISCONTINUITY-SEQUENCE), so unlike segments they must not be cached as immutable.
                r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
                return r;
            }
            case PART: {
                LowLatency ll = LowLatencyPlayback.state(live, childQuery);
                Part p = ll == null ? null : LowLatencyPlayback.find(segments, ll, sequence, url.part());
                if (p == null) {
                    return status(HttpResponseStatus.NOT_FOUND);
                }
                return media(head ? Unpooled.EMPTY_BUFFER : p.retainedData(), p.size(), FMP4_TYPE, childQuery);
            }
            default:
                for (Segment s : segments) {
                    if (s.sequence() == sequence) {
                        ByteBuf body = head ? Unpooled.EMPTY_BUFFER : s.retainedData();
                        return media(body, s.size(), live.fragmentedMp4() ? FMP4_TYPE : SEGMENT_TYPE, childQuery);
                    }
                }
                return status(HttpResponseStatus.NOT_FOUND);
        }
    }

    /** @param childQuery the token query of a private channel: its media must not sit in shared caches */
    private static FullHttpResponse media(ByteBuf body, int size, AsciiString type, String childQuery) {
        FullHttpResponse r = response(HttpResponseStatus.OK, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CACHE_CONTROL, childQuery.isEmpty() ? PUBLIC_MEDIA_CACHE : PRIVATE_MEDIA_CACHE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, size);
        return r;
    }

    private static FullHttpResponse playlist(String text) {
        return playlist(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static FullHttpResponse playlist(ByteBuf text) {
        FullHttpResponse r = response(HttpResponseStatus.OK, text);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, PLAYLIST_TYPE)
                .set(HttpHeaderNames.CACHE_CONTROL, PLAYLIST_CACHE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.readableBytes());
        return r;
    }

    private static FullHttpResponse status(HttpResponseStatus status) {
        FullHttpResponse r = response(status, Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        return r;
    }

    /** Without trailers (never sent with a Content-Length) and without per-header validation. */
    private static FullHttpResponse response(HttpResponseStatus status, ByteBuf body) {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body, HEADERS.newHeaders(),
                EmptyHttpHeaders.INSTANCE);
    }

    /** Sends from any thread; HEAD keeps the headers (Content-Length included) and drops the body. */
    private static void reply(ChannelHandlerContext ctx, FullHttpResponse r, String allowOrigin, boolean head,
                              KeepAlive keepAlive) {
        allowOrigin(r, allowOrigin);
        if (head && r.content().isReadable()) {
            // The Content-Length header stays: it is the length of what GET would send.
            r.content().release();
            r = r.replace(Unpooled.EMPTY_BUFFER);
        }
        keepAlive.writeAndFlush(ctx, r);
    }

    private static void allowOrigin(HttpResponse r, String allowOrigin) {
        if ("*".equals(allowOrigin)) {
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, ANY_ORIGIN);
        } else {
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowOrigin)
                    .set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
    }

    /** The peer, or X-Forwarded-For's first (client-most) address when the operator trusts the proxy in front. */
    private InetAddress clientAddress(ChannelHandlerContext ctx, HttpRequest req) {
        if (trustForwardedFor) {
            String xff = req.headers().get("X-Forwarded-For");
            if (xff != null) {
                int comma = xff.indexOf(',');
                // Literal addresses only: a host name here would mean a DNS lookup on the event loop.
                InetAddress a = NetUtil.createInetAddressFromIpAddressString((comma < 0 ? xff : xff.substring(0, comma)).strip());
                if (a != null) {
                    return a;
                }
            }
        }
        SocketAddress a = ctx.channel().remoteAddress();
        return a instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
