package io.openivs.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cap on an HTTP listener's open connections. One past the cap is answered at once with a 503
 * (Retry-After, Connection: close) and closed once the client's request has come in (so that the
 * close does not reset the answer away) or after a second; refusals are logged once per interval
 * with a count. Leaves file descriptors for the other listeners when viewers pile up.
 */
public final class ConnectionCap {
    private static final Logger log = LoggerFactory.getLogger(ConnectionCap.class);
    private static final byte[] REFUSAL = ("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
                    + "Content-Length: 0\r\nCache-Control: no-cache\r\nAccess-Control-Allow-Origin: *\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final long REFUSED_LINGER_MILLIS = 1000;

    private final String listener;
    private final int max;
    private final byte[] refusal;
    private final AtomicInteger open = new AtomicInteger();
    private final LogThrottle throttle = new LogThrottle(10, TimeUnit.SECONDS);

    /** @param listener what the log calls the listener ("playback") */
    public ConnectionCap(String listener, int max) {
        this(listener, max, REFUSAL);
    }

    /**
     * @param refusal the whole HTTP answer past the cap (it must say {@code Connection: close}), for a
     *                listener whose clients expect a body of their own protocol's shape
     */
    public ConnectionCap(String listener, int max, byte[] refusal) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive");
        }
        this.listener = listener;
        this.max = max;
        this.refusal = refusal.clone();
    }

    /**
     * A default for a listener allowed {@code share} of the process's file descriptor limit (at least
     * 64; 4096 where the limit is unknown).
     */
    public static int fromDescriptorLimit(double share) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return (int) Math.max(64, Math.min(Integer.MAX_VALUE, unix.getMaxFileDescriptorCount() * share));
        }
        return 4096;
    }

    public int open() {
        return open.get();
    }

    /** The per-connection handler; first in the pipeline. */
    public ChannelInboundHandlerAdapter handler() {
        return new Gate();
    }

    private final class Gate extends ChannelInboundHandlerAdapter {
        private boolean counted;
        private boolean refused;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            if (open.incrementAndGet() > max) {
                open.decrementAndGet();
                refused = true;
                throttle.occurred(held -> log.warn(
                        "{}: connection refused, {} open is the cap ({} more refused since" + " the last such line)",
                        listener,
                        max,
                        held));
                ByteBuf answer = Unpooled.wrappedBuffer(refusal);
                ctx.writeAndFlush(answer);
                ctx.executor().schedule(() -> ctx.close(), REFUSED_LINGER_MILLIS, TimeUnit.MILLISECONDS);
                return; // the rest of the pipeline never hears of it
            }
            counted = true;
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (refused) {
                ReferenceCountUtil.release(msg);
                ctx.close(); // the request has come: the answer is already on its way
                return;
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (counted) {
                counted = false;
                open.decrementAndGet();
            }
            super.channelInactive(ctx);
        }
    }
}
