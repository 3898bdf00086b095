package io.openivs.server.ingest.rtmp;

import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;

/** What a {@link PublishSession} may do to its connection. Safe to call from any thread. */
public interface PublisherControl {
    /** Ends the publish: the session's closed(reason) is called with this reason and the socket is closed. */
    void disconnect(String reason);

    InetSocketAddress remoteAddress();

    /** The event loop that makes every {@link PublishSession} callback: work handed to it is serialised with them. */
    EventExecutor executor();

    /**
     * Lets up to {@code bytes} of media gather in the kernel before the connection's event loop is woken for
     * them: fewer wake-ups, each handling more, at the cost of holding back the newest media by as long as
     * those bytes take to arrive. Once part of a message has been read, its last byte wakes the loop as soon
     * as it arrives. Bytes left unread are acknowledged late by the kernel, which stalls an encoder with
     * Nagle's algorithm on: turn it off where a frame must not wait. 0 turns it off. Only where the transport
     * allows it (Linux epoll; RTMP and RTMPS); elsewhere nothing changes.
     */
    void receiveInBatches(int bytes);

    /** RTMP bytes received on this connection after the handshake. */
    long bytesReceived();
}
