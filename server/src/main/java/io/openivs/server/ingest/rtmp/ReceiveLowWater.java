package io.openivs.server.ingest.rtmp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SO_RCVLOWAT of one RTMP connection: lets a batch of bytes gather in the kernel before the event loop
 * is woken, but never more than the message in progress still lacks (over TLS, first the record in
 * progress), nor more than is left before our next Acknowledgement is due. How big a batch a stream
 * tolerates is the publish session's call ({@link PublisherControl#receiveInBatches}). Event loop only.
 */
final class ReceiveLowWater {
    /**
     * SOL_SOCKET 1, SO_RCVLOWAT 18 on x86, arm and riscv Linux: epoll reports the socket readable only once
     * this many bytes are queued. The epoll transport passes it through; others refuse it.
     */
    private static final IntegerUnixChannelOption SO_RCVLOWAT = new IntegerUnixChannelOption("SO_RCVLOWAT", 1, 18);

    private static final Pattern KERNEL_VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");
    /**
     * Where those numbers hold and lowering the mark wakes a reader whose bytes now suffice (tcp_set_rcvlowat
     * calls tcp_data_ready; in the kernels since 5.8 as far as we know, unconfirmed for older ones; 6.1 is
     * tested): batching off must hand over what waits without more bytes arriving.
     */
    static final boolean USABLE = usable(
            System.getProperty("os.name", ""), System.getProperty("os.arch", ""), System.getProperty("os.version", ""));

    private final Channel channel;
    private final ChunkDecoder decoder;
    private final TlsRecordBoundaries records;
    private int batch;
    /** The socket's mark as last set. */
    private int mark = 1;

    /** {@code decoder} and {@code records} may be null (no chunk decoder; plain RTMP). */
    ReceiveLowWater(Channel channel, ChunkDecoder decoder, TlsRecordBoundaries records) {
        this.channel = channel;
        this.decoder = decoder;
        this.records = records;
    }

    static boolean usable(String os, String arch, String version) {
        if (!os.equals("Linux") || !arch.matches("amd64|x86_64|aarch64|arm|riscv64")) {
            return false;
        }
        Matcher m = KERNEL_VERSION.matcher(version);
        return m.find() && Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2)) >= 5008;
    }

    boolean batching() {
        return batch > 0;
    }

    /** Sets the batch (0: every byte wakes the loop again) and the mark at once. */
    void batch(int bytes) {
        batch = Math.max(0, bytes);
        update();
    }

    /**
     * After each read: wake for the rest of a message in progress as soon as it is here (its frame may end a
     * segment), otherwise once a batch has gathered. Over TLS, a record partly here must be whole before
     * anything decrypts, so its end comes first; at a record boundary the message's missing plaintext is a
     * lower bound on the ciphertext still to come. One setsockopt only when the mark changes.
     */
    void update() {
        int wanted = records == null ? 0 : records.bytesToRecordEnd();
        if (wanted == 0 && decoder != null) {
            wanted = decoder.bytesWanted();
        }
        int next = batch <= 0 ? 1 : wanted > 0 ? Math.min(wanted, batch) : batch;
        if (decoder != null) {
            // A publisher that waits for our Acknowledgement must not wait for a batch too.
            next = Math.min(next, decoder.bytesUntilAcknowledgement());
        }
        if (next == mark || !channel.isActive()) {
            return;
        }
        boolean set;
        try {
            set = channel.config().setOption(SO_RCVLOWAT, next);
        } catch (ChannelException e) {
            set = false;
        }
        if (set) {
            mark = next;
        } else {
            batch = 0; // not this transport: read every byte as it comes
        }
    }
}
