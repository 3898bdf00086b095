package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.openivs.server.playback.access.AccessDenied;
import io.openivs.server.playback.access.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;

/**
 * Builds and sends playback's HTTP answers: status line, headers (content type, {@link CachePolicy},
 * CORS, keep-alive) and body, on any thread. The answers every public viewer shares are encoded
 * ahead of time instead ({@link EncodedResponse}); this is for the rest, and is what those must equal.
 */
final class Responses {
    static final AsciiString PLAYLIST_TYPE = AsciiString.cached("application/vnd.apple.mpegurl");
    static final AsciiString TS_TYPE = AsciiString.cached("video/mp2t");
    static final AsciiString FMP4_TYPE = AsciiString.cached(Fmp4Playback.SEGMENT_TYPE);
    static final AsciiString INIT_TYPE = AsciiString.cached(Fmp4Playback.INIT_TYPE);
    private static final AsciiString ANY_ORIGIN = AsciiString.cached("*");
    /** {@code Vary: Accept} on a playlist chosen by the request's Accept (field names are case-insensitive, RFC 9110 5.1). */
    static final AsciiString ACCEPT = AsciiString.cached("Accept");
    /** Our own header names and values are constants or checked upstream: validating them per response is waste. */
    private static final HttpHeadersFactory HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private Responses() {}

    /**
     * Whether the answer is the same for every viewer (any origin, no token, every rendition), so
     * an {@link EncodedResponse} may answer.
     */
    static boolean shared(Verdict verdict) {
        return verdict.childQuery().isEmpty() && verdict.maxResolution() == null && "*".equals(verdict.allowOrigin());
    }

    /** A segment's or part's type by container. */
    static AsciiString mediaType(boolean fragmentedMp4) {
        return fragmentedMp4 ? FMP4_TYPE : TS_TYPE;
    }

    /** A body-less answer (404, 503, ...), never cached. */
    static FullHttpResponse status(HttpResponseStatus status) {
        FullHttpResponse r = response(status, Unpooled.EMPTY_BUFFER);
        r.headers()
                .set(HttpHeaderNames.CACHE_CONTROL, CachePolicy.NO_CACHE.value)
                .set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        return r;
    }

    /** Segment, part or init bytes; {@code size} is the Content-Length even when HEAD sends an empty body. */
    static FullHttpResponse media(ByteBuf body, int size, AsciiString type, CachePolicy cache) {
        FullHttpResponse r = response(HttpResponseStatus.OK, body);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CACHE_CONTROL, cache.value)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, size);
        return r;
    }

    static FullHttpResponse playlist(String text) {
        return playlist(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
    }

    static FullHttpResponse playlist(ByteBuf text) {
        FullHttpResponse r = response(HttpResponseStatus.OK, text);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, PLAYLIST_TYPE)
                .set(HttpHeaderNames.CACHE_CONTROL, CachePolicy.PLAYLIST.value)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.readableBytes());
        return r;
    }

    /** An error answer an owner made with a body (an edge passes it on), never cached. */
    static FullHttpResponse relayed(HttpResponseStatus status, ByteBuf body, String contentType) {
        FullHttpResponse r = response(status, body);
        if (contentType != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        r.headers()
                .set(HttpHeaderNames.CACHE_CONTROL, CachePolicy.NO_CACHE.value)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return r;
    }

    /** The 403 of a refused viewer; the body names the URL without its token. */
    static FullHttpResponse forbidden(ViewerRequest req, AccessDenied why) {
        return Refusals.forbidden(req.echoedUrl(), why);
    }

    /** The head of an answer whose body follows in chunks (the LL-HLS part being written). */
    static HttpResponse chunkedMedia(Verdict verdict) {
        return chunkedMedia(verdict, FMP4_TYPE);
    }

    /** The same for media of {@code type} (a segment being written, see {@link PrefetchAnswers}). */
    static HttpResponse chunkedMedia(Verdict verdict, AsciiString type) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, HEADERS);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CACHE_CONTROL, CachePolicy.media(verdict).value);
        allowOrigin(r, verdict.allowOrigin());
        return r;
    }

    /**
     * Sends from any thread, with the CORS and keep-alive headers the request and verdict call for;
     * HEAD keeps the headers (Content-Length included: the length GET would send) and drops the body.
     */
    static void send(ChannelHandlerContext ctx, ViewerRequest req, FullHttpResponse r, String allowOrigin) {
        req.answered();
        allowOrigin(r, allowOrigin);
        if (req.head() && r.content().isReadable()) {
            r.content().release();
            r = r.replace(Unpooled.EMPTY_BUFFER);
        }
        req.keepAlive().writeAndFlush(ctx, r);
    }

    /**
     * Sends a shared answer's head and body as they are, one flush; the encoder passes bare buffers
     * through. Only for an HTTP/1.1 keep-alive GET that {@link #shared} allows.
     */
    /**
     * Whether this connection can send a file region: a real socket (sendfile) with nothing between
     * the answer and it that needs bytes (TLS encrypts in user memory).
     */
    static boolean sendsFiles(ChannelHandlerContext ctx) {
        return ctx.channel() instanceof SocketChannel && ctx.pipeline().get(SslHandler.class) == null;
    }

    /** A whole pre-encoded answer (head and body) in one message: a buffer or a file region. */
    static void sendEncoded(ChannelHandlerContext ctx, Object answer) {
        if (ctx.executor().inEventLoop()) {
            ctx.writeAndFlush(answer, ctx.voidPromise());
        } else {
            try {
                ctx.executor().execute(() -> ctx.writeAndFlush(answer, ctx.voidPromise()));
            } catch (RejectedExecutionException e) {
                // The loop is shutting down: nothing will write it, so its segment (a file region holds an
                // open file and a mapping) is released here.
                ReferenceCountUtil.release(answer);
            }
        }
    }

    static void sendEncoded(ChannelHandlerContext ctx, ByteBuf head, ByteBuf body) {
        if (!ctx.executor().inEventLoop()) {
            // From a gate that settled off the loop: one task, so nothing lands between head and body.
            try {
                ctx.executor().execute(() -> sendEncoded(ctx, head, body));
            } catch (RejectedExecutionException e) {
                head.release();
                body.release();
            }
            return;
        }
        ctx.write(head, ctx.voidPromise());
        ctx.writeAndFlush(body, ctx.voidPromise());
    }

    private static void allowOrigin(HttpResponse r, String allowOrigin) {
        if ("*".equals(allowOrigin)) {
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, ANY_ORIGIN);
        } else {
            r.headers()
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowOrigin)
                    // Added: an LL-HLS playlist may vary by Accept already (MediaPlaylistCache).
                    .add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
    }

    /** Without trailers (never sent with a Content-Length) and without per-header validation. */
    private static FullHttpResponse response(HttpResponseStatus status, ByteBuf body) {
        return new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, body, HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE);
    }
}
