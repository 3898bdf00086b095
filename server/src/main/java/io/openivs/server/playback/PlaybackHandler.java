package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.NetUtil;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.Part;
import io.openivs.server.media.hls.Segment;

import io.openivs.server.playback.access.AccessDenied;
import io.openivs.server.playback.access.AccessRequest;
import io.openivs.server.playback.access.PlaybackGate;
import io.openivs.server.playback.access.ResolutionClass;
import io.openivs.server.playback.access.Verdict;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves the three kinds of playback URL: the channel's multivariant playlist
 * ({@code /api/video/v1/{name}.m3u8}), its media playlist ({@code {name}/live.m3u8}) and
 * segments ({@code {name}/{sequence}.ts}, or {@code .m4s} plus {@code init-{n}.mp4} for fMP4);
 * an LL-HLS stream's audio_only rendition has the same files under {@code {name}/audio_only/}. Each request is handed to the stream's owner thread,
 * which answers from the segments in memory; the bytes are shared, not copied, per viewer.
 * Before anything else the {@link PlaybackGate} decides whether the viewer may (token, policy).
 */
@ChannelHandler.Sharable
final class PlaybackHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String PREFIX = "/api/video/v1/";
    private static final String NAME = "([a-z0-9-]{1,32}\\.[0-9]{12}\\.channel\\.[A-Za-z0-9]{1,64})";
    /** The audio_only rendition's files sit in a directory beside the main rendition's. */
    private static final String RENDITION = "(/" + PlaybackWindow.AUDIO_ONLY + ")?";
    private static final Pattern MASTER = Pattern.compile(NAME + "\\.m3u8");
    private static final Pattern MEDIA = Pattern.compile(NAME + RENDITION + "/live\\.m3u8");
    private static final Pattern SEGMENT = Pattern.compile(NAME + RENDITION + "/([0-9]{1,18})\\.(ts|m4s)");
    private static final Pattern INIT = Pattern.compile(NAME + RENDITION + "/init-([0-9]{1,18})\\.mp4");
    /** An LL-HLS part: {@code {sequence}.{index}.m4s}. */
    private static final Pattern PART = Pattern.compile(NAME + RENDITION + "/([0-9]{1,18})\\.([0-9]{1,4})\\.m4s");
    private static final String PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
    private static final String SEGMENT_TYPE = "video/mp2t";

    private final PlaybackSource source;
    private final PlaybackGate gate;
    private final boolean trustForwardedFor;

    PlaybackHandler(PlaybackSource source, PlaybackGate gate, boolean trustForwardedFor) {
        this.source = source;
        this.gate = gate;
        this.trustForwardedFor = trustForwardedFor;
    }

    private enum Kind { MASTER, MEDIA, SEGMENT, INIT, PART }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean head = HttpMethod.HEAD.equals(req.method());
        if (!head && !HttpMethod.GET.equals(req.method())) {
            reply(ctx, status(HttpResponseStatus.METHOD_NOT_ALLOWED), "*", false);
            return;
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (!path.startsWith(PREFIX)) {
            reply(ctx, status(HttpResponseStatus.NOT_FOUND), "*", head);
            return;
        }
        String rest = path.substring(PREFIX.length());
        Kind kind;
        Matcher m;
        if ((m = MASTER.matcher(rest)).matches()) {
            kind = Kind.MASTER;
        } else if ((m = MEDIA.matcher(rest)).matches()) {
            kind = Kind.MEDIA;
        } else if ((m = SEGMENT.matcher(rest)).matches()) {
            kind = Kind.SEGMENT;
        } else if ((m = INIT.matcher(rest)).matches()) {
            kind = Kind.INIT;
        } else if ((m = PART.matcher(rest)).matches()) {
            kind = Kind.PART;
        } else {
            reply(ctx, status(HttpResponseStatus.NOT_FOUND), "*", head);
            return;
        }
        String name = m.group(1);
        boolean audioOnly = kind != Kind.MASTER && m.group(2) != null;
        long sequence = kind == Kind.SEGMENT || kind == Kind.INIT || kind == Kind.PART ? Long.parseLong(m.group(3)) : -1;
        // A part's index rides in the extension slot: parts exist only as .m4s.
        String extension = kind == Kind.SEGMENT || kind == Kind.PART ? m.group(4) : null;
        InetAddress client = clientAddress(ctx, req);
        AccessRequest access = new AccessRequest(name, kind == Kind.MASTER, QueryToken.find(uri, q),
                req.headers().get(HttpHeaderNames.ORIGIN), client);
        // HTTP/1.0 has no chunked transfer encoding: such a client gets the hinted part whole, once finished.
        boolean chunked = !HttpVersion.HTTP_1_0.equals(req.protocolVersion());
        // Access first, before looking at the stream: without a token, a private channel's state stays hidden.
        Verdict verdict = gate.decide(access);
        if (verdict != null) {
            serve(ctx, verdict, kind, name, audioOnly, sequence, extension, head, chunked, path,
                    q < 0 ? "" : uri.substring(q), client);
        } else {
            gate.settle(access).thenAccept(v -> serve(ctx, v, kind, name, audioOnly, sequence, extension, head, chunked,
                    path, q < 0 ? "" : uri.substring(q), client));
        }
    }

    /** @param chunked whether the client takes a chunked response (HTTP/1.1), so a part can be sent as it grows */
    private void serve(ChannelHandlerContext ctx, Verdict verdict, Kind kind, String name, boolean audioOnly,
                       long sequence, String extension, boolean head, boolean chunked,
                       String path, String query, InetAddress client) {
        if (!verdict.allowed()) {
            reply(ctx, Refusals.forbidden(path + QueryToken.without(query), verdict.denied()), "*", head);
            return;
        }
        LiveRendition live = source.find(name);
        if (audioOnly && live != null) {
            LiveRendition audio = live.sibling();
            live = audio != null && audio.audioOnly() ? audio : null;
        }
        // A segment URL of the other container, or an init segment of a TS channel, names nothing.
        if (live == null || kind == Kind.SEGMENT && live.fragmentedMp4() != "m4s".equals(extension)
                || (kind == Kind.INIT || kind == Kind.PART) && !live.fragmentedMp4()) {
            reply(ctx, status(HttpResponseStatus.NOT_FOUND), verdict.allowOrigin(), head);
            return;
        }
        if (kind != Kind.SEGMENT && kind != Kind.PART) {
            live.viewer(client == null ? "?" : client.getHostAddress());
        }
        PlaybackWindow window = live.window();
        if (window != null && (kind == Kind.MASTER || kind == Kind.SEGMENT
                || kind == Kind.MEDIA && window.servesMedia())) {
            // The common case, on this connection's own loop: the owner published what it needs.
            reply(ctx, fromWindow(window, kind, sequence, head, verdict, path, query), verdict.allowOrigin(), head);
            return;
        }
        try {
            int part = kind == Kind.PART ? Integer.parseInt(extension) : -1;
            // LL-HLS blocking requests (a reload with _HLS_msn, the hinted part) wait on the owner
            // thread for the part they name, except that the part being written is streamed as it
            // grows; every other request is answered at once.
            boolean blockingReload = kind == Kind.MEDIA && live.fragmentedMp4();
            long msn = blockingReload ? LowLatencyPlayback.number(query, "_HLS_msn") : kind == Kind.PART ? sequence : -1;
            int msnPart = blockingReload ? (int) Math.min(LowLatencyPlayback.number(query, "_HLS_part"), 9999) : part;
            LiveRendition rendition = live;
            live.owner().execute(() -> {
                if (kind == Kind.PART && chunked
                        && streamPart(ctx, rendition, sequence, part, head, verdict, path, query)) {
                    return;
                }
                LowLatencyPlayback.whenReady(rendition, verdict.childQuery(), kind == Kind.PART, msn, msnPart,
                        wait -> reply(ctx, wait == LowLatencyPlayback.Wait.READY
                                ? answer(rendition, kind, name, sequence, part, head, verdict, path, query)
                                : status(wait == LowLatencyPlayback.Wait.BAD_REQUEST ? HttpResponseStatus.BAD_REQUEST
                                        : HttpResponseStatus.SERVICE_UNAVAILABLE), verdict.allowOrigin(), head));
            });
        } catch (RejectedExecutionException e) {
            reply(ctx, status(HttpResponseStatus.SERVICE_UNAVAILABLE), verdict.allowOrigin(), head);
        }
    }

    /** Any thread: a playlist or segment from the owner's published window. */
    private static FullHttpResponse fromWindow(PlaybackWindow window, Kind kind, long sequence, boolean head,
                                               Verdict verdict, String path, String query) {
        FullHttpResponse refused = aboveMaxResolution(window.segments(), verdict, path, query);
        if (refused != null) {
            return refused;
        }
        String childQuery = verdict.childQuery();
        if (kind == Kind.SEGMENT) {
            Segment s = window.segment(sequence);
            ByteBuf body = s == null ? null : head ? Unpooled.EMPTY_BUFFER : s.tryRetainedData();
            return body == null ? status(HttpResponseStatus.NOT_FOUND)
                    : media(body, s.size(), window.fragmentedMp4() ? Fmp4Playback.SEGMENT_TYPE : SEGMENT_TYPE,
                            childQuery);
        }
        ByteBuf text = kind == Kind.MASTER ? window.master(childQuery) : window.media(childQuery);
        // No finished segment yet: the channel is not playable, as for an offline one.
        return text == null ? status(HttpResponseStatus.NOT_FOUND) : playlist(text);
    }

    /** A 403 when the only rendition is above the token's class (hidden, so nothing is left to play), else null. */
    private static FullHttpResponse aboveMaxResolution(List<Segment> segments, Verdict verdict, String path,
                                                       String query) {
        ResolutionClass max = verdict.maxResolution();
        if (max != null && !segments.isEmpty()) {
            VideoConfig video = segments.get(segments.size() - 1).video();
            if (video != null && !max.admits(video.width(), video.height())) {
                return Refusals.forbidden(path + QueryToken.without(query), new AccessDenied(AccessDenied.TOKEN,
                        "no rendition within the token's aws:maximum-resolution"));
            }
        }
        return null;
    }

    /**
     * Owner thread: a request for the part being written (the preload hint's) is answered at once
     * and sent as it grows; false, answering nothing, for any other part.
     */
    private static boolean streamPart(ChannelHandlerContext ctx, LiveRendition live, long sequence, int part,
                                      boolean head, Verdict verdict, String path, String query) {
        if (!live.writingPart(sequence, part)) {
            return false;
        }
        FullHttpResponse refused = aboveMaxResolution(live.segments(), verdict, path, query);
        if (refused != null) {
            reply(ctx, refused, verdict.allowOrigin(), head);
            return true;
        }
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        mediaHeaders(r, Fmp4Playback.SEGMENT_TYPE, verdict.childQuery());
        allowOrigin(r, verdict.allowOrigin());
        StreamedPart.start(ctx, live, r, head);
        return true;
    }

    /** Runs on the owner thread. */
    private static FullHttpResponse answer(LiveRendition live, Kind kind, String name, long sequence, int part,
                                           boolean head,
                                           Verdict verdict, String path, String query) {
        if (live.ended()) {
            return status(HttpResponseStatus.NOT_FOUND);
        }
        List<Segment> segments = live.segments();
        String childQuery = verdict.childQuery();
        FullHttpResponse refused = aboveMaxResolution(segments, verdict, path, query);
        if (refused != null) {
            return refused;
        }
        switch (kind) {
            case MASTER: {
                LiveRendition audio = live.sibling();
                String text = PlaybackWindow.masterPlaylist(name, segments, audio == null ? List.of() : audio.segments(),
                        childQuery);
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
                FullHttpResponse r = media(init, size, Fmp4Playback.INIT_TYPE, childQuery);
                // Init names restart with each session (init-0.mp4: hls.js cannot cope with a large
                // EXT-X-DISCONTINUITY-SEQUENCE), so unlike segments they must not be cached as immutable.
                r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
                return r;
            }
            case PART: {
                LowLatency ll = LowLatencyPlayback.state(live, childQuery);
                Part p = ll == null ? null : LowLatencyPlayback.find(segments, ll, sequence, part);
                if (p == null) {
                    return status(HttpResponseStatus.NOT_FOUND);
                }
                return media(head ? Unpooled.EMPTY_BUFFER : p.retainedData(), p.size(), Fmp4Playback.SEGMENT_TYPE,
                        childQuery);
            }
            default:
                for (Segment s : segments) {
                    if (s.sequence() == sequence) {
                        ByteBuf body = head ? Unpooled.EMPTY_BUFFER : s.retainedData();
                        return media(body, s.size(), live.fragmentedMp4() ? Fmp4Playback.SEGMENT_TYPE : SEGMENT_TYPE,
                                childQuery);
                    }
                }
                return status(HttpResponseStatus.NOT_FOUND);
        }
    }

    /** @param childQuery the token query of a private channel: its media must not sit in shared caches */
    private static FullHttpResponse media(ByteBuf body, int size, String type, String childQuery) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        mediaHeaders(r, type, childQuery);
        HttpUtil.setContentLength(r, size);
        return r;
    }

    private static void mediaHeaders(HttpResponse r, String type, String childQuery) {
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CACHE_CONTROL, childQuery.isEmpty()
                        ? "public, max-age=31536000, immutable" : "private, max-age=31536000, immutable");
    }

    private static FullHttpResponse playlist(String text) {
        return playlist(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static FullHttpResponse playlist(ByteBuf text) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, text);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, PLAYLIST_TYPE)
                .set(HttpHeaderNames.CACHE_CONTROL, "max-age=1");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        return r;
    }

    private static FullHttpResponse status(HttpResponseStatus status) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        HttpUtil.setContentLength(r, 0);
        return r;
    }

    /** Sends from any thread; HEAD keeps the headers (Content-Length included) and drops the body. */
    private static void reply(ChannelHandlerContext ctx, FullHttpResponse r, String allowOrigin, boolean head) {
        allowOrigin(r, allowOrigin);
        if (head && r.content().isReadable()) {
            long length = r.content().readableBytes();
            r.content().release();
            FullHttpResponse empty = r.replace(Unpooled.EMPTY_BUFFER);
            HttpUtil.setContentLength(empty, length);
            r = empty;
        }
        ctx.writeAndFlush(r);
    }

    private static void allowOrigin(HttpResponse r, String allowOrigin) {
        r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowOrigin);
        if (!"*".equals(allowOrigin)) {
            r.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
    }

    /** The peer, or X-Forwarded-For's first (client-most) address when the operator trusts the proxy in front. */
    private InetAddress clientAddress(ChannelHandlerContext ctx, FullHttpRequest req) {
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
