package io.openivs.server.net;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What a request asked of its connection, applied to its response by whoever answers it (on any
 * thread): listeners whose answers bypass Netty's keep-alive handler (pre-encoded bytes) use this
 * instead of it.
 */
public enum KeepAlive {
    /** HTTP/1.1 persistent, the default: nothing to say. */
    KEEP,
    /** HTTP/1.0 asking for keep-alive: the answer must say it agrees. */
    KEEP_HTTP_1_0,
    /** Close after the answer (Connection: close, or HTTP/1.0 without keep-alive). */
    CLOSE;

    public static KeepAlive of(HttpRequest req) {
        if (!HttpUtil.isKeepAlive(req)) {
            return CLOSE;
        }
        return HttpVersion.HTTP_1_1.equals(req.protocolVersion()) ? KEEP : KEEP_HTTP_1_0;
    }

    /** Writes {@code r} with the matching Connection header, closing afterwards when asked. */
    public void writeAndFlush(ChannelHandlerContext ctx, HttpResponse r) {
        switch (this) {
            case KEEP -> ctx.writeAndFlush(r);
            case KEEP_HTTP_1_0 -> {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(r);
            }
            default -> {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
