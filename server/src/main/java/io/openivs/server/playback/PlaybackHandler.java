package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.openivs.server.media.hls.PlaylistWriter;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.Variant;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves the three kinds of playback URL: the channel's multivariant playlist
 * ({@code /api/video/v1/{name}.m3u8}), its media playlist ({@code {name}/live.m3u8}) and
 * segments ({@code {name}/{sequence}.ts}, or {@code .m4s} plus {@code init-{n}.mp4} for fMP4). Each request is handed to the stream's owner thread,
 * which answers from the segments in memory; the bytes are shared, not copied, per viewer.
 */
@ChannelHandler.Sharable
final class PlaybackHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String PREFIX = "/api/video/v1/";
    private static final String NAME = "([a-z0-9-]{1,32}\\.[0-9]{12}\\.channel\\.[A-Za-z0-9]{1,64})";
    private static final Pattern MASTER = Pattern.compile(NAME + "\\.m3u8");
    private static final Pattern MEDIA = Pattern.compile(NAME + "/live\\.m3u8");
    private static final Pattern SEGMENT = Pattern.compile(NAME + "/([0-9]{1,18})\\.(ts|m4s)");
    private static final Pattern INIT = Pattern.compile(NAME + "/init-([0-9]{1,18})\\.mp4");
    private static final String PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
    private static final String SEGMENT_TYPE = "video/mp2t";

    private final PlaybackSource source;

    PlaybackHandler(PlaybackSource source) {
        this.source = source;
    }

    private enum Kind { MASTER, MEDIA, SEGMENT, INIT }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean head = HttpMethod.HEAD.equals(req.method());
        if (!head && !HttpMethod.GET.equals(req.method())) {
            reply(ctx, status(HttpResponseStatus.METHOD_NOT_ALLOWED), false);
            return;
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (!path.startsWith(PREFIX)) {
            reply(ctx, status(HttpResponseStatus.NOT_FOUND), head);
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
        } else {
            reply(ctx, status(HttpResponseStatus.NOT_FOUND), head);
            return;
        }
        String name = m.group(1);
        long sequence = kind == Kind.SEGMENT || kind == Kind.INIT ? Long.parseLong(m.group(2)) : -1;
        LiveRendition live = source.find(name);
        if (live == null || kind == Kind.SEGMENT && live.fragmentedMp4() != m.group(3).equals("m4s")
                || kind == Kind.INIT && !live.fragmentedMp4()) {
            reply(ctx, status(HttpResponseStatus.NOT_FOUND), head);
            return;
        }
        if (kind != Kind.SEGMENT) {
            live.viewer(address(ctx.channel().remoteAddress()));
        }
        try {
            live.owner().execute(() -> reply(ctx, answer(live, kind, name, sequence, head), head));
        } catch (RejectedExecutionException e) {
            reply(ctx, status(HttpResponseStatus.SERVICE_UNAVAILABLE), head);
        }
    }

    /** Runs on the owner thread. */
    private static FullHttpResponse answer(LiveRendition live, Kind kind, String name, long sequence, boolean head) {
        if (live.ended()) {
            return status(HttpResponseStatus.NOT_FOUND);
        }
        List<Segment> segments = live.segments();
        switch (kind) {
            case MASTER: {
                Optional<Variant> v = Variant.measure(name + "/live.m3u8", null, segments);
                // No finished segment yet: the channel is not playable, as for an offline one.
                return v.map(variant -> playlist(PlaylistWriter.master(List.of(variant))))
                        .orElseGet(() -> status(HttpResponseStatus.NOT_FOUND));
            }
            case MEDIA:
                if (segments.isEmpty()) {
                    return status(HttpResponseStatus.NOT_FOUND);
                }
                return playlist(live.fragmentedMp4()
                        ? Fmp4Playback.mediaPlaylist(segments, live.targetDurationSeconds())
                        : PlaylistWriter.media(segments, live.targetDurationSeconds(), seq -> seq + ".ts", false));
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
                return media(init, size, Fmp4Playback.INIT_TYPE);
            }
            default:
                for (Segment s : segments) {
                    if (s.sequence() == sequence) {
                        ByteBuf body = head ? Unpooled.EMPTY_BUFFER : s.retainedData();
                        return media(body, s.size(), live.fragmentedMp4() ? Fmp4Playback.SEGMENT_TYPE : SEGMENT_TYPE);
                    }
                }
                return status(HttpResponseStatus.NOT_FOUND);
        }
    }

    private static FullHttpResponse media(ByteBuf body, int size, String type) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=31536000, immutable");
        HttpUtil.setContentLength(r, size);
        return r;
    }

    private static FullHttpResponse playlist(String text) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
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
    private static void reply(ChannelHandlerContext ctx, FullHttpResponse r, boolean head) {
        r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        if (head && r.content().isReadable()) {
            long length = r.content().readableBytes();
            r.content().release();
            FullHttpResponse empty = r.replace(Unpooled.EMPTY_BUFFER);
            HttpUtil.setContentLength(empty, length);
            r = empty;
        }
        ctx.writeAndFlush(r);
    }

    private static String address(SocketAddress a) {
        return a instanceof InetSocketAddress ? ((InetSocketAddress) a).getAddress().getHostAddress() : String.valueOf(a);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
