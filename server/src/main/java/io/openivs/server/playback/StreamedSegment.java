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
import io.openivs.server.media.hls.SegmentFollower;

/**
 * The answer to a request for an LHLS prefetch segment while it is written: headers at once with
 * chunked transfer encoding, then its bytes as the stream's owner thread writes them (MPEG-TS
 * packets after each frame, fMP4 CMAF chunks), ending with the segment. The URL is the one the
 * segment is listed under once finished, which then serves it whole from memory.
 *
 * <p>Runs on the owner thread; its writes reach the viewer's own event loop in the order made.
 * Bytes go out as views of the segment's memory, never copies. A segment dropped unfinished (the
 * stream closed under it) ends the connection without the final chunk, so the viewer cannot take
 * a truncated body for a whole segment. {@link SlowViewerGuard} caps a slow viewer as for any answer.
 */
final class StreamedSegment implements SegmentFollower {

    private final ChannelHandlerContext ctx;
    private final boolean close;

    private StreamedSegment(ChannelHandlerContext ctx, boolean close) {
        this.ctx = ctx;
        this.close = close;
    }

    /**
     * Owner thread: answers with {@code headers} now and follows the segment being written (HEAD: headers only).
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
        StreamedSegment follower = new StreamedSegment(ctx, close);
        if (head) {
            follower.segmentEnded(true);
            return;
        }
        ctx.flush();
        live.followSegment(follower);
    }

    @Override
    public boolean onBytes(ByteBuf bytes) {
        if (!ctx.channel().isActive()) {
            return false; // the viewer went away: nothing more to send
        }
        ctx.writeAndFlush(new DefaultHttpContent(bytes.retainedDuplicate()), ctx.voidPromise());
        return true;
    }

    @Override
    public void segmentEnded(boolean complete) {
        if (!complete) {
            ctx.flush();
            ctx.close();
        } else if (close) {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }
}
