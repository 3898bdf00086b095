package io.openivs.server.playback;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Caps what one slow viewer costs. Once the connection's outbound buffer passes the high water
 * mark it stops reading further requests (so pipelined ones cannot pile up answers), and if it
 * stays unwritable for {@code maxStallMillis} it is closed. Answers share segment bytes rather
 * than copy them, so the cap is on queued answers; ingest and other viewers never wait on it.
 */
final class SlowViewerGuard extends ChannelDuplexHandler {
    private final long maxStallMillis;
    private ScheduledFuture<?> closer;

    SlowViewerGuard(long maxStallMillis) {
        this.maxStallMillis = maxStallMillis;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        boolean writable = ctx.channel().isWritable();
        ctx.channel().config().setAutoRead(writable);
        if (writable) {
            cancel();
        } else if (closer == null) {
            closer = ctx.executor()
                    .schedule(
                            () -> {
                                closer = null;
                                if (!ctx.channel().isWritable()) {
                                    ctx.close();
                                }
                            },
                            maxStallMillis,
                            TimeUnit.MILLISECONDS);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    private void cancel() {
        if (closer != null) {
            closer.cancel(false);
            closer = null;
        }
    }
}
