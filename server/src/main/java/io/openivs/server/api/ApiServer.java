package io.openivs.server.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.openivs.server.net.AccessLog;
import io.openivs.server.net.EventLoops;
import java.net.InetSocketAddress;

/** The control API listener: HTTP/1.1 with keep-alive, bodies up to 1 MiB. */
public final class ApiServer implements AutoCloseable {
    /** IVS request bodies are small; anything larger is refused before it is buffered. */
    public static final int MAX_BODY = 1024 * 1024;

    private final Channel channel;

    public ApiServer(EventLoops loops, String bindHost, int port, ApiHandler handler) throws InterruptedException {
        this(loops, bindHost, port, handler, null);
    }

    /** @param tls serve HTTPS with this context (it may change its certificate between connections), or null for HTTP */
    public ApiServer(EventLoops loops, String bindHost, int port, ApiHandler handler, SslContext tls)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.boss(), loops.io())
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, 120) {
                                    @Override
                                    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
                                        ctx.close();
                                    }
                                })
                                .addLast(new HttpServerCodec(8192, 16384, 8192));
                        if (AccessLog.enabled()) {
                            ch.pipeline().addLast(new AccessLog("api"));
                        }
                        ch.pipeline()
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new BoundedAggregator())
                                .addLast(handler);
                    }
                });
        this.channel = b.bind(bindHost, port).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    /**
     * Answers an oversized body with the API's JSON error instead of Netty's bare 413.
     *
     * <p>The connection is not closed at once: a client still writing its body would see a reset
     * instead of the answer. The rest of the body is discarded (by the aggregator) and the
     * connection stays usable, unless the client keeps sending far past the limit.
     */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private static final long DISCARD_LIMIT = 16L * MAX_BODY;
        private long discarded = -1;

        BoundedAggregator() {
            super(MAX_BODY);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            discarded = 0;
            ApiHandler.sendError(
                    ctx,
                    true,
                    ResponseParts.requestId(),
                    413,
                    "RequestEntityTooLargeException",
                    "The request body is larger than " + MAX_BODY + " bytes.");
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (discarded >= 0 && msg instanceof HttpContent content) {
                discarded += content.content().readableBytes();
                if (msg instanceof LastHttpContent) {
                    discarded = -1;
                } else if (discarded > DISCARD_LIMIT) {
                    discarded = -1;
                    content.release();
                    ctx.close();
                    return;
                }
            }
            super.channelRead(ctx, msg);
        }
    }
}
