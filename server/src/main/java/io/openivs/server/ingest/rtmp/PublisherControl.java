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

  /** RTMP bytes received on this connection after the handshake. */
  long bytesReceived();
}
