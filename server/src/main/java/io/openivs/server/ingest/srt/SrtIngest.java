package io.openivs.server.ingest.srt;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the SRT server asks of the application: who may publish, and where an accepted caller's
 * bytes go. Implemented by the live wing.
 */
public interface SrtIngest {

    /**
     * Looks up a caller's stream id (as sent, e.g. a stream key or {@code #!::r=KEY,m=publish}).
     * Called on the event loop; must not block: answer with a future completed by the store's
     * own thread. Empty refuses the caller ({@link SrtReject#FORBIDDEN}).
     */
    CompletableFuture<Optional<SrtAccess>> authorize(String streamId, InetSocketAddress peer);

    /**
     * The caller passed authorisation and its keys decrypt: start its session. Called on the
     * connection's event loop; must not block. Throw {@link SrtReject.Refusal} to refuse (e.g.
     * {@link SrtReject#CONFLICT} when the channel already has a publisher).
     */
    Session open(SrtCaller caller, Link link);

    /** What a session may do to its connection. Safe from any thread. */
    interface Link {
        /** The event loop every {@link Session} call comes from. */
        io.netty.util.concurrent.EventExecutor executor();

        /** Ends the connection (the caller is told); {@link Session#onClose} follows with this reason. */
        void close(String reason);
    }

    /** One accepted caller's stream, called on its event loop in order. */
    interface Session {

        /** The next payload of the stream (MPEG-TS, usually 1316 bytes), borrowed for the call. */
        void onPayload(ByteBuf payload);

        /**
         * The connection ended (shutdown, timeout, server stop); no more calls follow.
         *
         * @param stats the connection's counters (loss, retransmissions, drops, RTT) for health and logs
         */
        void onClose(String reason, SrtConnection.Stats stats);
    }

    /**
     * What is known of an accepted caller.
     *
     * @param latencyMs the negotiated TSBPD latency
     * @param keyLength bytes of the AES key, 0 when unencrypted
     */
    record SrtCaller(
            String streamId, InetSocketAddress peer, int socketId, int latencyMs, int keyLength, String srtVersion) {}
}
