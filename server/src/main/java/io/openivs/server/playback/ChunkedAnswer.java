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
import io.openivs.server.media.hls.SegmentFollower;

/**
 * The answer to a request for media still being written: the LL-HLS part a preload hint names
 * (EXT-X-PRELOAD-HINT) or an LHLS prefetch segment. Headers go out at once with chunked transfer
 * encoding, then the bytes as the stream's owner thread writes them (CMAF chunks; MPEG-TS packets
 * after each frame), ending with the part or segment. The URL is the one it is listed under once
 * finished, which then serves it whole from memory.
 *
 * <p>Runs on the owner thread (or, relaying a stream another node owns, on the edge's loop: {@link
 * EdgeFetch}); its writes reach the viewer's own event loop in the order made.
 * Bytes go out as views of the shared memory, never copies. A segment dropped unfinished (the
 * stream closed under it) ends the connection without the final chunk, so the viewer cannot take
 * a truncated body for a whole segment. {@link SlowViewerGuard} caps a slow viewer as for any answer.
 */
final class ChunkedAnswer implements PartFollower, SegmentFollower {

    private final ChannelHandlerContext ctx;
    private final boolean close;

    private ChunkedAnswer(ChannelHandlerContext ctx, boolean close) {
        this.ctx = ctx;
        this.close = close;
    }

    /**
     * Owner thread: answers with {@code headers} now. Returns the follower to hand the part or segment
     * being written to, or null for HEAD (headers only, already complete).
     *
     * @param close whether the request asked to close the connection after the answer
     */
    static ChunkedAnswer start(ChannelHandlerContext ctx, HttpResponse headers, boolean head, boolean close) {
        HttpUtil.setTransferEncodingChunked(headers, true);
        if (close) {
            headers.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.write(headers, ctx.voidPromise());
        ChunkedAnswer answer = new ChunkedAnswer(ctx, close);
        if (head) {
            answer.end(true);
            return null;
        }
        ctx.flush();
        return answer;
    }

    @Override
    public boolean onChunk(ByteBuf chunk) {
        return send(chunk);
    }

    @Override
    public boolean onBytes(ByteBuf bytes) {
        return send(bytes);
    }

    @Override
    public void partEnded() {
        end(true);
    }

    @Override
    public void segmentEnded(boolean complete) {
        end(complete);
    }

    private boolean send(ByteBuf bytes) {
        if (!ctx.channel().isActive()) {
            return false; // the viewer went away: nothing more to send
        }
        ctx.writeAndFlush(new DefaultHttpContent(bytes.retainedDuplicate()), ctx.voidPromise());
        return true;
    }

    private void end(boolean complete) {
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
