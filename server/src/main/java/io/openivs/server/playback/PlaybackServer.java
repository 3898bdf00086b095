package io.openivs.server.playback;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.FileRegion;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.ssl.SslContext;
import io.openivs.server.net.AcceptFailures;
import io.openivs.server.net.AccessLog;
import io.openivs.server.net.ConnectionCap;
import io.openivs.server.net.EventLoops;
import io.openivs.server.net.HttpTimeouts;
import io.openivs.server.playback.access.AccessGate;
import java.net.InetSocketAddress;

/** The HLS playback listener: IVS-shaped playback URLs served from live streams' memory. */
public final class PlaybackServer implements AutoCloseable {
    /** Queued answers per viewer before it counts as slow: a few segments' worth. */
    static final WriteBufferWaterMark VIEWER_WATER_MARK = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);
    /**
     * Queued bytes for the water mark: Netty's default counts a file region as 0, which would let a
     * viewer that reads nothing queue segment files (sendfile) without ever counting as slow.
     */
    static final MessageSizeEstimator QUEUED_BYTES = new MessageSizeEstimator() {
        private final Handle others = DefaultMessageSizeEstimator.DEFAULT.newHandle();
        private final Handle handle =
                msg -> msg instanceof FileRegion r ? (int) Math.min(Integer.MAX_VALUE, r.count()) : others.size(msg);

        @Override
        public Handle newHandle() {
            return handle;
        }
    };
    /** A viewer that cannot take a byte for this long is closed; players give up on a stall long before. */
    static final long MAX_STALL_MILLIS = 10_000;

    /**
     * What one viewer connection may cost the listener: a request head is due within {@code headerTimeoutMillis}
     * (of connecting, or of its first byte), a connection with no traffic for {@code idleTimeoutMillis} is closed
     * (longer than any blocking playlist reload holds a request), and past {@code maxConnections} open ones a new
     * connection is answered 503.
     */
    public record Limits(long headerTimeoutMillis, long idleTimeoutMillis, int maxConnections) {
        /** 10 s for a head, 60 s idle, half the process's file descriptors (the rest for ingest, API, files). */
        public static Limits defaults() {
            return new Limits(10_000, 60_000, ConnectionCap.fromDescriptorLimit(0.5));
        }
    }

    private final Channel channel;
    private final ConnectionCap cap;
    private final PlaybackCounters counters;

    /**
     * What a listener is opened with: where it binds and what it serves are required, the rest has defaults
     * (no access gate, no X-Forwarded-For, no extra handler, {@link Limits#defaults()}, plain HTTP, standing alone).
     */
    public static final class Builder {
        private final EventLoops loops;
        private final String bind;
        private final int port;
        private final PlaybackSource source;
        private AccessGate gate;
        private boolean trustForwardedFor;
        private ChannelHandler extra;
        private Limits limits = Limits.defaults();
        private SslContext tls;
        private PlaybackCluster cluster;

        private Builder(EventLoops loops, String bind, int port, PlaybackSource source) {
            this.loops = loops;
            this.bind = bind;
            this.port = port;
            this.source = source;
        }

        public Builder gate(AccessGate gate) {
            this.gate = gate;
            return this;
        }

        /** Take the viewer's address from X-Forwarded-For (only behind a proxy that sets it). */
        public Builder trustForwardedFor(boolean trust) {
            this.trustForwardedFor = trust;
            return this;
        }

        /** A sharable handler that sees requests first and passes on those it does not serve, or null. */
        public Builder extra(ChannelHandler extra) {
            this.extra = extra;
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = limits;
            return this;
        }

        /** Serve HTTPS with this context (it may change its certificate between connections), or null for HTTP. */
        public Builder tls(SslContext tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Serve the internal endpoint and relay streams other nodes own (edge playback) as this says, or null
         * when standing alone.
         */
        public Builder cluster(PlaybackCluster cluster) {
            this.cluster = cluster;
            return this;
        }

        /** Binds the listener. */
        public PlaybackServer open() throws InterruptedException {
            return new PlaybackServer(this);
        }
    }

    public static Builder builder(EventLoops loops, String bind, int port, PlaybackSource source) {
        return new Builder(loops, bind, port, source);
    }

    private PlaybackServer(Builder o) throws InterruptedException {
        EventLoops loops = o.loops;
        Limits limits = o.limits;
        SslContext tls = o.tls;
        ChannelHandler extra = o.extra;
        PlaybackHandler handler = new PlaybackHandler(o.source, o.gate, o.trustForwardedFor, o.cluster);
        this.counters = handler.counters;
        if (o.cluster != null) {
            handler.edge(new EdgeRelay(loops.io().next(), loops.socketChannel(), o.cluster, counters));
        }
        this.cap = new ConnectionCap("playback", limits.maxConnections());
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.boss(), loops.io())
                .channel(loops.serverChannel())
                .handler(new AcceptFailures("playback"))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, VIEWER_WATER_MARK)
                .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, QUEUED_BYTES)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        HttpTimeouts timeouts =
                                new HttpTimeouts(limits.headerTimeoutMillis(), limits.idleTimeoutMillis());
                        ch.pipeline().addLast(cap.handler());
                        if (tls != null) {
                            // The header timeout, counted from connecting, also bounds a stalled handshake.
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(timeouts)
                                .addLast(new SlowViewerGuard(MAX_STALL_MILLIS))
                                .addLast(new HttpRequestDecoder(8192, 8192, 8192))
                                .addLast(timeouts.headWatcher())
                                // Whoever answers applies the request's KeepAlive (pre-encoded answers
                                // would bypass Netty's keep-alive handler).
                                .addLast(new PlaybackResponseEncoder());
                        if (AccessLog.enabled()) {
                            ch.pipeline().addLast(new AccessLog("playback"));
                        }
                        ch.pipeline()
                                // GET/HEAD carry no body: requests go on unaggregated, bodies are refused.
                                .addLast(new BodilessRequests());
                        if (extra != null) {
                            ch.pipeline().addLast(extra);
                        }
                        ch.pipeline().addLast(handler);
                    }
                });
        this.channel = b.bind(new InetSocketAddress(o.bind, o.port)).sync().channel();
    }

    /** Viewer connections open now (refused ones not counted). */
    public int openConnections() {
        return cap.open();
    }

    /** Requests answered from live streams, for metrics. */
    public PlaybackCounters counters() {
        return counters;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
    }
}
