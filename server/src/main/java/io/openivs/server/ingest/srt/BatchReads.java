package io.openivs.server.ingest.srt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * The port's receive buffers for {@code recvmmsg} reads: fixed-size buffers of {@code slots} datagrams each, and a
 * read burst that ends when a call fills fewer slots than it offered. Netty's epoll datagram channel reads on until
 * a call finds nothing, so every burst ended with a {@code recvmmsg} (and the {@code getsockopt} Netty makes with
 * each) that returned no datagram: a quarter of the port's system calls at one stream (bench/srt). A short read
 * means the call emptied the socket's queue, and whatever comes after it raises a new readiness event (edge- or
 * level-triggered alike), so nothing waits unread.
 */
final class BatchReads implements RecvByteBufAllocator {
    private final FixedRecvByteBufAllocator fixed;

    /**
     * @param datagramSize the room per datagram (Netty's {@code MAX_DATAGRAM_PAYLOAD_SIZE})
     * @param slots datagrams one call may read
     * @param maxPerBurst datagrams read before the loop runs its tasks
     */
    BatchReads(int datagramSize, int slots, int maxPerBurst) {
        this.fixed = new FixedRecvByteBufAllocator(datagramSize * slots);
        fixed.maxMessagesPerRead(maxPerBurst);
    }

    @Override
    public Handle newHandle() {
        return new StopWhenShort((ExtendedHandle) fixed.newHandle());
    }

    /** Netty's handle, but for {@link #continueReading}. */
    static final class StopWhenShort implements ExtendedHandle {
        private final ExtendedHandle delegate;

        StopWhenShort(ExtendedHandle delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return delegate.continueReading(maybeMoreDataSupplier) && full();
        }

        @Override
        public boolean continueReading() {
            return delegate.continueReading() && full();
        }

        /** Whether the last call filled every slot it offered (Netty counts a slot's whole room as read). */
        private boolean full() {
            return delegate.lastBytesRead() >= delegate.attemptedBytesRead();
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return delegate.allocate(alloc);
        }

        @Override
        public int guess() {
            return delegate.guess();
        }

        @Override
        public void reset(ChannelConfig config) {
            delegate.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            delegate.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            delegate.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return delegate.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            delegate.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return delegate.attemptedBytesRead();
        }

        @Override
        public void readComplete() {
            delegate.readComplete();
        }
    }
}
