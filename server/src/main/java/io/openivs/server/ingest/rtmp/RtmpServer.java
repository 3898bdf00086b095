package io.openivs.server.ingest.rtmp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.openivs.server.net.AcceptFailures;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An RTMP (or, with an {@link SslContext}, RTMPS) ingest listener. The pipeline per connection is
 * admission gate → [TLS record boundaries → TLS] → read timeout → handshake → chunk encoder → chunk decoder →
 * {@link RtmpServerHandler}. Until a connection's publish is authorised, {@link PeerAdmission} bounds how many
 * such connections an address may hold and for how long, and the chunk decoder takes command-sized messages
 * only.
 * The event loop groups belong to the caller, who shuts them down.
 */
public final class RtmpServer {
    private final Config config;
    private final PeerAdmission admission;
    private final ChannelGroup connections = new DefaultChannelGroup("rtmp", ImmediateEventExecutor.INSTANCE);
    private Channel serverChannel;

    /**
     * Settings; {@code host} null binds all interfaces, {@code port} 0 picks a free port, {@code sslContext}
     * null serves plain RTMP. {@code channelType} must match the groups' transport (NIO unless the caller
     * built epoll groups and passes the epoll server channel).
     */
    public record Config(
            String host,
            int port,
            SslContext sslContext,
            PublishAuthorizer authorizer,
            EventLoopGroup bossGroup,
            EventLoopGroup workerGroup,
            Class<? extends ServerChannel> channelType,
            Duration handshakeTimeout,
            Duration readTimeout,
            int maxMessageLength) {

        public Config {
            Objects.requireNonNull(authorizer, "authorizer");
            Objects.requireNonNull(bossGroup, "bossGroup");
            Objects.requireNonNull(workerGroup, "workerGroup");
            Objects.requireNonNull(channelType, "channelType");
            Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
            Objects.requireNonNull(readTimeout, "readTimeout");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        /** Defaults: NIO, 10 s handshake timeout, 30 s without any byte ends a connection, 8 MiB per message. */
        public static Config of(
                String host,
                int port,
                SslContext sslContext,
                PublishAuthorizer authorizer,
                EventLoopGroup bossGroup,
                EventLoopGroup workerGroup) {
            return new Config(
                    host,
                    port,
                    sslContext,
                    authorizer,
                    bossGroup,
                    workerGroup,
                    NioServerSocketChannel.class,
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(30),
                    ChunkDecoder.DEFAULT_MAX_MESSAGE_LENGTH);
        }

        public Config withHandshakeTimeout(Duration timeout) {
            return new Config(
                    host,
                    port,
                    sslContext,
                    authorizer,
                    bossGroup,
                    workerGroup,
                    channelType,
                    timeout,
                    readTimeout,
                    maxMessageLength);
        }

        public Config withReadTimeout(Duration timeout) {
            return new Config(
                    host,
                    port,
                    sslContext,
                    authorizer,
                    bossGroup,
                    workerGroup,
                    channelType,
                    handshakeTimeout,
                    timeout,
                    maxMessageLength);
        }
    }

    public RtmpServer(Config config) {
        this(config, PeerAdmission.Limits.DEFAULTS);
    }

    public RtmpServer(Config config, PeerAdmission.Limits limits) {
        this.config = Objects.requireNonNull(config, "config");
        this.admission = new PeerAdmission(Objects.requireNonNull(limits, "limits"));
    }

    /** Binds and returns the bound port. */
    public synchronized int start() throws InterruptedException {
        if (serverChannel != null) {
            throw new IllegalStateException("already started");
        }
        boolean secure = config.sslContext() != null;
        long handshakeMillis = config.handshakeTimeout().toMillis();
        long readTimeoutMillis = config.readTimeout().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(config.bossGroup(), config.workerGroup())
                .channel(config.channelType())
                .handler(new AcceptFailures(secure ? "rtmps" : "rtmp"))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("admission", admission.gate());
                        if (secure) {
                            p.addLast("tlsRecords", new TlsRecordBoundaries());
                            p.addLast("tls", config.sslContext().newHandler(ch.alloc()));
                        }
                        p.addLast("readTimeout", new ReadTimeoutHandler(readTimeoutMillis, TimeUnit.MILLISECONDS));
                        p.addLast("handshake", new RtmpHandshakeHandler(handshakeMillis));
                        p.addLast("chunkEncoder", new ChunkEncoder());
                        p.addLast(
                                "chunkDecoder",
                                new ChunkDecoder(
                                        config.maxMessageLength(),
                                        Math.min(
                                                config.maxMessageLength(),
                                                ChunkDecoder.DEFAULT_UNTRUSTED_MAX_MESSAGE_LENGTH)));
                        p.addLast("rtmp", new RtmpServerHandler(config.authorizer(), secure));
                    }
                });
        InetSocketAddress address = config.host() == null
                ? new InetSocketAddress(config.port())
                : new InetSocketAddress(config.host(), config.port());
        serverChannel = bootstrap.bind(address).sync().channel();
        return port();
    }

    public synchronized int port() {
        if (serverChannel == null) {
            throw new IllegalStateException("not started");
        }
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Connections currently open, at any stage (handshake, connected, publishing). */
    public int openConnections() {
        return connections.size();
    }

    /** Connections not yet publishing (at any stage before an authorised publish). */
    public int waitingConnections() {
        return admission.waiting();
    }

    /** Stops accepting and closes every open connection (their sessions see "connection closed"). */
    public synchronized void stop() throws InterruptedException {
        if (serverChannel == null) {
            return;
        }
        serverChannel.close().sync();
        serverChannel = null;
        connections.close().sync();
    }
}
