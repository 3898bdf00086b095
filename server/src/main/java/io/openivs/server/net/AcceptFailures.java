package io.openivs.server.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a listening channel: a failed accept (out of file descriptors, above all) is logged once per
 * interval with a count, not once per attempt with a stack trace, and accepting pauses for a
 * second as Netty's own acceptor would (this handler sits before it and takes its place for
 * failures), so that a full descriptor table is not spun on.
 */
@ChannelHandler.Sharable
public final class AcceptFailures extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AcceptFailures.class);

    private final String listener;
    private final LogThrottle throttle = new LogThrottle(10, TimeUnit.SECONDS);

    /** @param listener what the log calls this listener ("playback", "rtmp") */
    public AcceptFailures(String listener) {
        this.listener = listener;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        throttle.occurred(held -> log.warn(
                "{}: accepting a connection failed: {} ({} more since the last such line)",
                listener,
                cause.toString(),
                held));
        if (ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> ctx.channel().config().setAutoRead(true), 1, TimeUnit.SECONDS);
        }
    }
}
