package io.openivs.server.ingest.srt;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay for one caller that drops a share of datagrams in both directions and delays
 * some: a lossy, jittery path between a real SRT caller and the server. Counts the retransmissions that reach
 * the server and the copies of packets it already had (what a receiver's needless loss reports cost).
 */
final class LossyRelay implements AutoCloseable {

    private final DatagramSocket front; // the caller talks to this
    private final DatagramSocket back; // this talks to the server
    private final InetSocketAddress server;
    private final double loss;
    private final int maxDelayMs;
    private final Random random = new Random(42);
    private final ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor();
    private volatile SocketAddress caller;
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong forwarded = new AtomicLong();
    /** Data packets flagged as retransmissions (R) that reached the server. */
    final AtomicLong retransmissions = new AtomicLong();
    /** Data packets that reached the server after a copy of the same sequence number had: needless copies. */
    final AtomicLong duplicates = new AtomicLong();
    /** Sequence numbers of the data packets that reached the server; written by the delayer thread only. */
    private final Set<Integer> delivered = ConcurrentHashMap.newKeySet();

    LossyRelay(InetSocketAddress server, double loss, int maxDelayMs) throws SocketException {
        this.server = server;
        this.loss = loss;
        this.maxDelayMs = maxDelayMs;
        front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        start("relay-up", front, true);
        start("relay-down", back, false);
    }

    int port() {
        return front.getLocalPort();
    }

    private void start(String name, DatagramSocket from, boolean up) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[2048];
                    while (!from.isClosed()) {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        try {
                            from.receive(p);
                        } catch (IOException e) {
                            return;
                        }
                        if (up) {
                            caller = p.getSocketAddress();
                        }
                        SocketAddress to = up ? server : caller;
                        byte[] copy = java.util.Arrays.copyOf(p.getData(), p.getLength());
                        boolean drop;
                        int delay;
                        synchronized (random) {
                            drop = random.nextDouble() < loss;
                            delay = random.nextInt(maxDelayMs + 1);
                        }
                        if (drop || to == null) {
                            dropped.incrementAndGet();
                            continue;
                        }
                        DatagramSocket out = up ? back : front;
                        delayer.schedule(
                                () -> {
                                    try {
                                        out.send(new DatagramPacket(copy, copy.length, to));
                                        forwarded.incrementAndGet();
                                        if (up) {
                                            count(copy);
                                        }
                                    } catch (IOException ignored) {
                                        // closed
                                    }
                                },
                                delay,
                                TimeUnit.MILLISECONDS);
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
    }

    /** Counts a data packet that reached the server: a retransmission (R flag), a copy of one already there. */
    private void count(byte[] packet) {
        if (packet.length < 16 || (packet[0] & 0x80) != 0) {
            return; // control
        }
        ByteBuffer b = ByteBuffer.wrap(packet);
        int seq = b.getInt(0) & 0x7FFF_FFFF;
        if ((b.getInt(4) & (1 << 26)) != 0) {
            retransmissions.incrementAndGet();
        }
        if (!delivered.add(seq)) {
            duplicates.incrementAndGet();
        }
    }

    @Override
    public void close() {
        front.close();
        back.close();
        delayer.shutdownNow();
    }
}
