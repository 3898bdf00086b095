package io.openivs.server.ingest.srt;

import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * The port's receive buffers for {@code recvmmsg} reads: fixed-size buffers of {@code slots} datagrams each, and a
 * read burst that ends when a call fills fewer slots than it offered. Netty's epoll datagram channel reads on until
 * a call finds nothing, so every burst ended with a {@code recvmmsg} (and the {@code getsockopt} Netty makes with
 * each) that returned no datagram: a quarter of the port's system calls at one stream (bench/srt). A short read
 * means the call emptied the socket's queue, and whatever comes after it raises a new readiness event (edge- or
 * level-triggered alike), so nothing waits unread.
 */
final class BatchReads extends DefaultMaxMessagesRecvByteBufAllocator {
    private final int bufferSize;

    /**
     * @param datagramSize the room per datagram (Netty's {@code MAX_DATAGRAM_PAYLOAD_SIZE})
     * @param slots datagrams one call may read
     * @param maxPerBurst datagrams read before the loop runs its tasks
     */
    BatchReads(int datagramSize, int slots, int maxPerBurst) {
        super(maxPerBurst);
        this.bufferSize = datagramSize * slots;
    }

    @Override
    public Handle newHandle() {
        return new MaxMessageHandle() {
            @Override
            public int guess() {
                return bufferSize;
            }

            /** Also stops once a call filled fewer slots than it offered (Netty counts a slot's whole room). */
            @Override
            public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
                return super.continueReading(maybeMoreDataSupplier) && lastBytesRead() >= attemptedBytesRead();
            }
        };
    }
}
