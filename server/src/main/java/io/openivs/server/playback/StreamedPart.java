package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.openivs.server.media.hls.PartFollower;

/**
 * The answer to a request for the part a preload hint names, sent while the part is written, as
 * the LL-HLS draft allows (EXT-X-PRELOAD-HINT): headers at once with chunked transfer encoding,
 * then each CMAF chunk as the stream's owner thread closes it, ending with the part.
 *
 * <p>Runs on the owner thread; its writes reach the viewer's own event loop in the order made.
 * Each chunk goes out as a view of the shared bytes, never a copy. A slow viewer queues at most
 * one part before the response ends, and {@link SlowViewerGuard} caps it as for any answer.
 */
final class StreamedPart implements PartFollower {

    private final ChannelHandlerContext ctx;
    private final boolean close;

    private StreamedPart(ChannelHandlerContext ctx, boolean close) {
        this.ctx = ctx;
        this.close = close;
    }

    /**
     * Owner thread: answers with {@code headers} now and follows the part being written (HEAD: headers only).
     *
     * @param close whether the request asked to close the connection after the answer
     */
    static void start(
            ChannelHandlerContext ctx, LiveRendition live, HttpResponse headers, boolean head, boolean close) {
        HttpUtil.setTransferEncodingChunked(headers, true);
        if (close) {
            headers.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.write(headers, ctx.voidPromise());
        StreamedPart follower = new StreamedPart(ctx, close);
        if (head) {
            follower.partEnded();
            return;
        }
        ctx.flush();
        live.followPart(follower);
    }

    @Override
    public boolean onChunk(ByteBuf chunk) {
        if (!ctx.channel().isActive()) {
            return false; // the viewer went away: nothing more to send
        }
        ctx.writeAndFlush(new DefaultHttpContent(chunk.retainedDuplicate()), ctx.voidPromise());
        return true;
    }

    @Override
    public void partEnded() {
        if (close) {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }
}
