package io.openivs.server.ingest.rtmp;

import java.net.InetSocketAddress;

/** What a {@link PublishSession} may do to its connection. Safe to call from any thread. */
public interface PublisherControl {
  /** Ends the publish: the session's closed(reason) is called with this reason and the socket is closed. */
  void disconnect(String reason);

  InetSocketAddress remoteAddress();

  /** RTMP bytes received on this connection after the handshake. */
  long bytesReceived();
}
