package io.openivs.server.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
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
import io.openivs.server.net.AcceptFailures;
import io.openivs.server.net.AccessLog;
import io.openivs.server.net.ConnectionCap;
import io.openivs.server.net.EventLoops;
import io.openivs.server.net.HttpTimeouts;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The control API listener: HTTP/1.1 with keep-alive, bodies up to 1 MiB, and the limits every door has
 * ({@link Limits}): an unauthenticated client holds a connection only as long as a request takes to arrive.
 */
public final class ApiServer implements AutoCloseable {
    /** IVS request bodies are small; anything larger is refused before it is buffered. */
    public static final int MAX_BODY = 1024 * 1024;

    /**
     * What one connection may cost the listener: a request head is due within {@code headerTimeoutMillis} (of
     * connecting, or of its first byte), its body within {@code bodyTimeoutMillis} of the head, a connection
     * with no traffic for {@code idleTimeoutMillis} is closed, and past {@code maxConnections} open ones a new
     * connection is answered 503 in the API's error shape.
     */
    public record Limits(long headerTimeoutMillis, long idleTimeoutMillis, long bodyTimeoutMillis, int maxConnections) {
        /**
         * 10 s for a head, 30 s for a 1 MiB body, 120 s idle (beyond the SDKs' 60 s pooled-connection reuse, so
         * the server is not the side that closes a connection a client is about to reuse), a quarter of the
         * process's file descriptors.
         */
        public static Limits defaults() {
            return new Limits(10_000, 120_000, 30_000, ConnectionCap.fromDescriptorLimit(0.25));
        }
    }

    private final Channel channel;
    private final ConnectionCap cap;
    private final EventLoops loops;
    private final String bindHost;
    private final ApiHandler handler;
    private final SslContext tls;
    /** What answers before the API (the web console), or null. */
    private final ChannelHandler front;

    public ApiServer(EventLoops loops, String bindHost, int port, ApiHandler handler) throws InterruptedException {
        this(loops, bindHost, port, handler, null, Limits.defaults());
    }

    /**
     * @param tls serve HTTPS with this context (it may change its certificate between connections), or null
     *            for HTTP
     */
    public ApiServer(EventLoops loops, String bindHost, int port, ApiHandler handler, SslContext tls, Limits limits)
            throws InterruptedException {
        this(loops, bindHost, port, handler, tls, limits, null);
    }

    /**
     * @param front a sharable handler that sees each aggregated request first (the web console) and passes on
     *              those it does not answer, or null
     */
    public ApiServer(
            EventLoops loops,
            String bindHost,
            int port,
            ApiHandler handler,
            SslContext tls,
            Limits limits,
            ChannelHandler front)
            throws InterruptedException {
        this.front = front;
        this.loops = loops;
        this.bindHost = bindHost;
        this.handler = handler;
        this.tls = tls;
        this.cap = new ConnectionCap("api", limits.maxConnections(), refusal());
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.boss(), loops.io())
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .handler(new AcceptFailures("api"))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        HttpTimeouts timeouts = new HttpTimeouts(
                                limits.headerTimeoutMillis(), limits.idleTimeoutMillis(), limits.bodyTimeoutMillis());
                        ch.pipeline().addLast(cap.handler());
                        if (tls != null) {
                            // The header timeout, counted from connecting, also bounds a stalled handshake.
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(timeouts)
                                .addLast(new HttpServerCodec(8192, 16384, 8192))
                                .addLast(timeouts.headWatcher());
                        if (AccessLog.enabled()) {
                            ch.pipeline().addLast(new AccessLog("api"));
                        }
                        ch.pipeline().addLast(new HttpServerKeepAliveHandler()).addLast(new BoundedAggregator());
                        if (front != null) {
                            ch.pipeline().addLast(front);
                        }
                        ch.pipeline().addLast(handler);
                    }
                });
        this.channel = b.bind(bindHost, port).sync().channel();
    }

    /** The answer past the cap: the model's ServiceUnavailable, which an AWS SDK retries. */
    private static byte[] refusal() {
        byte[] body =
                "{\"message\":\"Too many connections to this API; retry later.\"}".getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
                + "x-amzn-ErrorType: ServiceUnavailable\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** Another listener on {@code port} serving the same API with other limits; the caller closes it. */
    public ApiServer withLimits(int port, Limits limits) throws InterruptedException {
        return new ApiServer(loops, bindHost, port, handler, tls, limits, front);
    }

    /** Connections open now (refused ones not counted). */
    public int openConnections() {
        return cap.open();
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
