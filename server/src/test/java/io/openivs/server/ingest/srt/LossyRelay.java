package io.openivs.server.ingest.srt;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
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

    /** Why a needless copy came (see {@link #causes()}). */
    enum Cause {
        /** The original came after the server's first loss report for it: the report did not wait long enough. */
        LATE_ORIGINAL,
        /** A second retransmission after the server reported the packet lost again (its repeat came too soon). */
        REPEATED_REPORT,
        /** A retransmission the server did not ask for (as many as its reports that reached the caller, or more). */
        UNASKED,
        /** A retransmission of a packet the server already had when it reported it lost. */
        REPORTED_WHILE_HELD
    }

    /** What the relay saw of one sequence number; guarded by {@code tracks}. */
    private static final class Track {
        int reportsSent; // loss reports naming it that the server sent
        int reportsDelivered; // of those, the ones that reached the caller
        long firstReportNanos;
        long originalNanos; // when the original reached the server; 0 if it has not
        int copies; // data packets of this number that reached the server
        int retransmissions; // of those, flagged R
    }

    private final Map<Integer, Track> tracks = new HashMap<>();
    private final Map<Cause, Integer> causes = new EnumMap<>(Cause.class);
    /** Needless copies in the first {@link #EARLY_NANOS} of the stream (the receiver still learning the path). */
    private final Map<Cause, Integer> earlyCauses = new EnumMap<>(Cause.class);

    private static final long EARLY_NANOS = 3_000_000_000L;
    private long firstDataNanos;

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
                        } else {
                            lossReport(p.getData(), p.getLength(), false);
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
                                        } else {
                                            lossReport(copy, copy.length, true);
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
        boolean retransmitted = (b.getInt(4) & (1 << 26)) != 0;
        if (!delivered.add(seq)) {
            duplicates.incrementAndGet();
        }
        synchronized (tracks) {
            Track t = tracks.computeIfAbsent(seq, k -> new Track());
            t.copies++;
            if (retransmitted) {
                t.retransmissions++;
            }
            long now = System.nanoTime();
            if (firstDataNanos == 0) {
                firstDataNanos = now;
            }
            if (t.copies > 1) {
                Cause c = cause(t, retransmitted);
                causes.merge(c, 1, Integer::sum);
                if (now - firstDataNanos < EARLY_NANOS) {
                    earlyCauses.merge(c, 1, Integer::sum);
                }
            }
            if (!retransmitted && t.originalNanos == 0) {
                t.originalNanos = System.nanoTime();
            }
        }
    }

    private static Cause cause(Track t, boolean retransmitted) {
        if (!retransmitted) {
            return t.reportsSent == 0 ? Cause.UNASKED : Cause.LATE_ORIGINAL; // it came after a retransmission
        }
        if (t.originalNanos != 0) {
            if (t.reportsSent == 0) {
                return Cause.UNASKED;
            }
            return t.originalNanos < t.firstReportNanos ? Cause.REPORTED_WHILE_HELD : Cause.LATE_ORIGINAL;
        }
        return t.reportsDelivered >= t.retransmissions ? Cause.REPEATED_REPORT : Cause.UNASKED;
    }

    /** Notes the numbers a loss report (NAK) from the server names: as it leaves the server, or as it reaches the caller. */
    private void lossReport(byte[] packet, int length, boolean delivered) {
        if (length < 20 || (packet[0] & 0x80) == 0) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(packet, 0, length);
        if (((b.getInt(0) >>> 16) & 0x7FFF) != 3) {
            return;
        }
        long now = System.nanoTime();
        synchronized (tracks) {
            for (int i = 16; i + 4 <= length; i += 4) {
                int first = b.getInt(i);
                int last = first;
                if (first < 0 && i + 8 <= length) {
                    first &= 0x7FFF_FFFF;
                    i += 4;
                    last = b.getInt(i);
                }
                for (int seq = first; seq != last + 1 && seq - first < 10_000; seq++) {
                    Track t = tracks.computeIfAbsent(seq, k -> new Track());
                    if (delivered) {
                        t.reportsDelivered++;
                    } else {
                        if (t.reportsSent++ == 0) {
                            t.firstReportNanos = now;
                        }
                    }
                }
            }
        }
    }

    /** The needless copies that reached the server, by cause. */
    Map<Cause, Integer> causes() {
        synchronized (tracks) {
            return new EnumMap<>(causes);
        }
    }

    /** Of {@link #causes()}, those in the stream's first three seconds. */
    Map<Cause, Integer> earlyCauses() {
        synchronized (tracks) {
            return new EnumMap<>(earlyCauses);
        }
    }

    @Override
    public void close() {
        front.close();
        back.close();
        delayer.shutdownNow();
    }
}
