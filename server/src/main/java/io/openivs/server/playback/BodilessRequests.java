package io.openivs.server.playback;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.openivs.server.net.KeepAlive;

/**
 * Playback takes GET and HEAD only, which carry no body, so requests go on as they arrive (an
 * {@link HttpRequest}, no aggregation into a full request) and the decoder's empty last content
 * is dropped. A request that announces a body (Content-Length above zero, chunked) or that the
 * decoder could not parse is answered (413, 400) and the connection closed: reading past a body
 * we do not want would only cost more. One per connection.
 */
final class BodilessRequests extends ChannelInboundHandlerAdapter {
    /** Set once a request is refused: what follows on this connection is dropped until it closes. */
    private boolean refused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest req) {
            if (req.decoderResult().isFailure()) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST);
            } else if (HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0) {
                refuse(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            } else {
                ctx.fireChannelRead(req);
            }
            if (msg instanceof HttpContent c) {
                c.release(); // a decoder failure comes as a full request
            }
        } else if (msg instanceof HttpContent c) {
            if (c.decoderResult().isFailure()) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST);
            }
            c.release(); // a bodiless request's empty last content
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status) {
        refused = true;
        ctx.channel().config().setAutoRead(false);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        r.headers()
                .set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        KeepAlive.CLOSE.writeAndFlush(ctx, r);
    }
}
