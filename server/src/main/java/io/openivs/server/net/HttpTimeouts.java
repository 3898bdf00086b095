package io.openivs.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two clocks of an HTTP/1.1 connection. While a request head is being read, it must be
 * complete within the header timeout of its first byte (a new connection's first head, within that
 * of the connection), so a client trickling header bytes (slowloris) or saying nothing is closed;
 * between requests, a connection with neither reads nor writes, nor bytes waiting to be sent, for
 * the idle timeout is closed (a keep-alive connection nobody uses). Goes before the request decoder; {@link #headWatcher()}
 * goes right after it and says when a head has been decoded. One timer per connection,
 * rescheduled only when it fires (so a head that starts on a kept-alive connection is closed
 * between one and two header timeouts after its first byte).
 *
 * <p>A listener that takes request bodies (the API) adds a third clock: a body must be complete within
 * the body timeout of its head, however steadily it trickles (closed between one body timeout and
 * that plus a header timeout after the head).
 */
public final class HttpTimeouts extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(HttpTimeouts.class);

    private final long headerNanos;
    private final long idleNanos;
    private final long bodyNanos;
    private long lastActivity;
    /** When the head now being read began, or -1 between requests. */
    private long headStarted = -1;
    /** When the head of the request whose body is being read ended, or -1. */
    private long bodyStarted = -1;

    private ScheduledFuture<?> timer;

    /** For requests without bodies (playback): no body clock. */
    public HttpTimeouts(long headerTimeoutMillis, long idleTimeoutMillis) {
        this(headerTimeoutMillis, idleTimeoutMillis, Long.MAX_VALUE / 2_000_000);
    }

    public HttpTimeouts(long headerTimeoutMillis, long idleTimeoutMillis, long bodyTimeoutMillis) {
        this.headerNanos = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis);
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
        this.bodyNanos = TimeUnit.MILLISECONDS.toNanos(bodyTimeoutMillis);
    }

    /** The handler to put right after the request decoder: marks the end of each request head. */
    public ChannelHandler headWatcher() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    headStarted = -1;
                    bodyStarted = System.nanoTime();
                }
                if (msg instanceof LastHttpContent) {
                    bodyStarted = -1;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    private void start(ChannelHandlerContext ctx) {
        if (timer != null) {
            return;
        }
        long now = System.nanoTime();
        lastActivity = now;
        headStarted = now; // the first request's head is due within the header timeout of connecting
        schedule(ctx, Math.min(headerNanos, idleNanos));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf) {
            long now = System.nanoTime();
            lastActivity = now;
            if (headStarted < 0 && bodyStarted < 0) {
                headStarted = now; // the next request begins (cleared again if its head is in this read)
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        lastActivity = System.nanoTime();
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (timer != null) {
            timer.cancel(false);
        }
        super.channelInactive(ctx);
    }

    private void schedule(ChannelHandlerContext ctx, long nanos) {
        timer = ctx.executor().schedule(() -> check(ctx), Math.max(nanos, 1_000_000), TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isOpen()) {
            return;
        }
        long now = System.nanoTime();
        if (headStarted >= 0) { // a head is being read: only its deadline counts
            if (now - headStarted >= headerNanos) {
                log.debug(
                        "{}: request head not complete within {} ms, closing",
                        ctx.channel().remoteAddress(),
                        TimeUnit.NANOSECONDS.toMillis(headerNanos));
                ctx.close();
                return;
            }
            schedule(ctx, Math.min(headStarted + headerNanos - now, idleNanos));
            return;
        }
        if (bodyStarted >= 0 && now - bodyStarted >= bodyNanos) {
            log.debug(
                    "{}: request body not complete within {} ms, closing",
                    ctx.channel().remoteAddress(),
                    TimeUnit.NANOSECONDS.toMillis(bodyNanos));
            ctx.close();
            return;
        }
        ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
        if (pending != null && pending.totalPendingWriteBytes() > 0) {
            lastActivity = now; // a slow reader still draining an answer is not idle (a stall has its own guard)
        }
        if (now - lastActivity >= idleNanos) {
            log.debug(
                    "{}: idle for {} ms, closing",
                    ctx.channel().remoteAddress(),
                    TimeUnit.NANOSECONDS.toMillis(idleNanos));
            ctx.close();
            return;
        }
        // Checked again within a header timeout: a head that starts meanwhile is held to its deadline at most
        // that late, with no timer work per request.
        schedule(ctx, Math.min(lastActivity + idleNanos - now, headerNanos));
    }
}
