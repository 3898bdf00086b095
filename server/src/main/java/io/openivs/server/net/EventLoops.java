package io.openivs.server.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The event loops every listener shares (API, RTMP, playback): one acceptor
 * thread and one I/O thread per core, native epoll where available.
 */
public final class EventLoops implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final boolean epoll;

    public EventLoops(int ioThreads) {
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.boss = new MultiThreadIoEventLoopGroup(1, factory);
        this.io = new MultiThreadIoEventLoopGroup(ioThreads, factory);
    }

    public EventLoopGroup boss() {
        return boss;
    }

    public EventLoopGroup io() {
        return io;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The channel type of outgoing TCP connections on these loops. */
    public Class<? extends io.netty.channel.socket.SocketChannel> socketChannel() {
        return epoll
                ? io.netty.channel.epoll.EpollSocketChannel.class
                : io.netty.channel.socket.nio.NioSocketChannel.class;
    }

    public String transport() {
        return epoll ? "epoll" : "nio";
    }

    @Override
    public void close() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
