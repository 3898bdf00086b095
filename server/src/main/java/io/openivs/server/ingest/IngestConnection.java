package io.openivs.server.ingest;

import io.netty.util.concurrent.EventExecutor;

/** What a {@link FrameSession} may do to the connection that publishes into it. Safe to call from any thread. */
public interface IngestConnection {
    /** Ends the publish: the session's {@link FrameSession#closed} follows with this reason. */
    void disconnect(String reason);

    /** The event loop that makes every {@link FrameSession} call: work handed to it is serialised with them. */
    EventExecutor executor();

    /**
     * Lets up to {@code bytes} of media gather in the kernel before the event loop is woken for them (0: off).
     * A transport that cannot do this ignores it.
     */
    default void receiveInBatches(int bytes) {}
}
