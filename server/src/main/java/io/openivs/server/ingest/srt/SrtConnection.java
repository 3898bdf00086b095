package io.openivs.server.ingest.srt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.openivs.server.ingest.srt.ReceiveWindow.Insert;
import java.util.function.Consumer;

/**
 * The receiving side of one accepted SRT caller in live mode: decrypts and buffers data packets,
 * reports losses (NAK) once they have been missing longer than the path's reordering and again each round trip
 * until repaired, acknowledges progress once per 10 ms interval (ACK, timed by the
 * caller's ACKACK into an RTT), releases payloads in order as they complete (a gap waits for its retransmission
 * until TSBPD gives it up: too-late drop, {@link ReceiveWindow}), answers key refreshes, sends keep-alives, and
 * ends on shutdown or 5 s of silence.
 *
 * <p>Pure of sockets and clocks: the server hands in packets and the time, and the connection
 * writes its answers to an {@link Output}. One owner thread (the server's event loop).
 *
 * <p>Past 500 lines: the receiver's duties (ACK, loss reports, release, keep-alive, key refresh) read and move the
 * same sequence numbers, clocks and counters; the buffer itself is {@link ReceiveWindow}.
 */
public final class SrtConnection {

    /** Where the connection's packets to the caller go. */
    public interface Output {
        ByteBufAllocator alloc();

        /** Sends one packet to the caller; takes ownership. */
        void send(ByteBuf packet);
    }

    static final long ACK_INTERVAL_US = 10_000;
    /**
     * A tick that comes a little early still sends the ACK due (else it would wait a whole interval more); the
     * server also runs, with a tick it runs anyway, the work of connections due within this.
     */
    static final long TIMER_SLACK_US = 2_000;

    static final long MIN_NAK_INTERVAL_US = 20_000;
    /**
     * The reorder tolerance before the path has shown any reordering (at most a quarter of the latency). Starting
     * at none, every gap of the stream's first burst (its first keyframe, dozens of packets sent at once) was
     * reported lost at once: on a path jittering by 50 ms those were all the needless copies of a 24 s stream
     * (SrtLossySimulationTest); a path that does not reorder pays it only on its first losses, as the tolerance
     * decays.
     */
    static final long INITIAL_REORDER_TOLERANCE_US = 100_000;
    /** The reorder tolerance forgets a sixteenth of itself each second (reordering renews it). */
    static final long REORDER_DECAY_US = 1_000_000;

    static final long KEEPALIVE_US = 1_000_000;
    static final long IDLE_TIMEOUT_US = 5_000_000;
    static final long DRIFT_WINDOW_US = 5_000_000;
    static final long MAX_DRIFT_STEP_US = 5_000;
    private static final int MAX_NAK_RANGES = 150; // fits one 1500-byte datagram
    private static final int ACK_HISTORY = 64;

    private final int socketId;
    private final int peerSocketId;
    private final Output out;
    private final SrtIngest.Session session;
    /** {@code session::onPayload}, made once rather than on each tick. */
    private final Consumer<ByteBuf> deliver;

    private final SrtCrypto crypto;
    private final String passphrase;
    private final long latencyUs;
    private final ReceiveWindow window;
    private final ByteBuf conclusionResponse;

    private long baseUs;
    /** The smallest arrival-minus-timestamp of this drift window: the clocks' current offset. */
    private long windowMinOffsetUs = Long.MAX_VALUE;

    private long driftWindowStartUs;
    private boolean timeStarted;
    private long lastTs;
    private long lastSentUs;
    private long lastReceivedUs;
    /** The {@link #ACK_INTERVAL_US} interval the last ACK counts for ({@link #ackInterval}). */
    private long lastAckInterval;

    private int lastAckSequence = -1;
    /** When the next loss report is due (a missing packet's first report or its repeat). */
    private long nextLossReportUs = Long.MAX_VALUE;
    /**
     * How long a gap waits before its loss is reported: the longest an original packet has lately come after its
     * successor (draft-sharabayko-srt's reorder tolerance, here in time rather than packets). Reordered packets
     * would otherwise be reported lost and sent twice.
     */
    private long reorderToleranceUs;

    private long lastReorderDecayUs;
    private long reordered;
    private long lossReports;
    private int ackNumber;
    private final int[] ackNumbers = new int[ACK_HISTORY];
    private final long[] ackTimes = new long[ACK_HISTORY];
    private long rttUs = 100_000;
    private long rttVarUs = 50_000;
    private boolean closed;

    private long packetsReceived;
    private long bytesReceived;
    private long retransmitsReceived;
    private long undecryptable;
    private long duplicates;
    private long outOfWindow;
    private long ackAcks;
    private long keyRefreshes;
    private long rateWindowStartUs;
    private long rateWindowPackets;
    private long rateWindowBytes;
    private int packetRate;
    private int byteRate;

    /**
     * @param initialSequence the caller's initial packet sequence number
     * @param handshakeTimestampUs the timestamp on the caller's conclusion, which sets the TSBPD base
     * @param nowUs the local time the conclusion arrived
     * @param conclusionResponse the packet that accepted the caller, resent if the caller repeats its conclusion; owned
     * @param initialReorderToleranceUs how long a gap waits before it is reported until the path shows its
     *     reordering ({@link #INITIAL_REORDER_TOLERANCE_US}); at most a quarter of the latency
     */
    SrtConnection(
            int socketId,
            int peerSocketId,
            int initialSequence,
            int windowPackets,
            long latencyUs,
            SrtCrypto crypto,
            String passphrase,
            long handshakeTimestampUs,
            long nowUs,
            ByteBuf conclusionResponse,
            long initialReorderToleranceUs,
            Output out,
            SrtIngest.Session session) {
        this.socketId = socketId;
        this.peerSocketId = peerSocketId;
        this.out = out;
        this.session = session;
        this.deliver = session::onPayload;
        this.crypto = crypto;
        this.passphrase = passphrase;
        this.latencyUs = latencyUs;
        this.window = new ReceiveWindow(windowPackets, initialSequence);
        this.conclusionResponse = conclusionResponse;
        this.baseUs = nowUs - handshakeTimestampUs;
        this.lastTs = handshakeTimestampUs;
        this.lastReceivedUs = nowUs;
        this.lastSentUs = nowUs;
        this.lastAckInterval = ackInterval(nowUs) - 1;
        this.rateWindowStartUs = nowUs;
        this.driftWindowStartUs = nowUs;
        this.lastReorderDecayUs = nowUs;
        this.reorderToleranceUs = Math.min(initialReorderToleranceUs, latencyUs / 4);
    }

    public int socketId() {
        return socketId;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Handles one packet (header included) from the caller; borrowed. */
    public void onPacket(ByteBuf packet, long nowUs) {
        if (closed || packet.readableBytes() < SrtPacket.HEADER_SIZE) {
            return;
        }
        lastReceivedUs = nowUs;
        if (SrtPacket.isControl(packet)) {
            control(packet, nowUs);
        } else {
            data(packet, nowUs);
        }
    }

    private void data(ByteBuf packet, long nowUs) {
        int seq = SrtPacket.sequence(packet);
        long ts = unwrap(SrtPacket.timestamp(packet));
        boolean retransmitted = SrtPacket.retransmitted(packet);
        int payloadIndex = packet.readerIndex() + SrtPacket.HEADER_SIZE;
        int payloadLength = packet.readableBytes() - SrtPacket.HEADER_SIZE;
        packetsReceived++;
        bytesReceived += payloadLength;
        rateWindowPackets++;
        rateWindowBytes += payloadLength;
        if (retransmitted) {
            retransmitsReceived++;
        } else {
            long offset = nowUs - ts;
            if (offset < baseUs) {
                baseUs = offset; // a quicker path than the handshake's: follow the shortest delay
            }
            windowMinOffsetUs = Math.min(windowMinOffsetUs, offset);
        }
        int kk = SrtPacket.keyFlags(packet);
        if (kk != SrtPacket.KK_NONE) {
            if (crypto == null) {
                undecryptable++;
                return;
            }
            int offset = SeqNo.diff(seq, window.head());
            if (offset < 0 || (offset < window.capacity() && window.holds(offset))) {
                duplicates++; // not worth decrypting
                return;
            }
            if (!crypto.apply(packet, payloadIndex, payloadLength, seq, kk)) {
                undecryptable++;
                return;
            }
        } else if (crypto != null) {
            undecryptable++; // an encrypted session does not take clear packets
            return;
        }
        // A copy: the datagram may share its buffer with the others one recvmmsg read, which a held slice would
        // keep for as long as the latency.
        ByteBuf payload =
                out.alloc().buffer(payloadLength, payloadLength).writeBytes(packet, payloadIndex, payloadLength);
        Insert inserted;
        try {
            inserted = window.insert(seq, ts, payload, retransmitted, nowUs, reorderToleranceUs);
        } finally {
            payload.release(); // the window keeps its own reference to a new packet
        }
        switch (inserted) {
            case NEW -> {
                long late = window.reorderedAfterUs();
                if (late >= 0) {
                    reordered++;
                    // Half as much again as seen: the next reordering may be deeper (a loaded host's stalls add to it).
                    reorderToleranceUs = Math.min(Math.max(reorderToleranceUs, late + late / 2), latencyUs / 4);
                }
                if (window.gapLength() > 0) {
                    nextLossReportUs = Math.min(nextLossReportUs, nowUs + reorderToleranceUs);
                    if (reorderToleranceUs == 0) {
                        reportLosses(nowUs); // a path that does not reorder: a gap is a loss, report it now
                    }
                }
            }
            case DUPLICATE, BEHIND -> duplicates++;
            case BEYOND -> outOfWindow++;
        }
    }

    private void control(ByteBuf packet, long nowUs) {
        switch (SrtPacket.controlType(packet)) {
            case SrtPacket.CTRL_ACKACK -> ackAck(SrtPacket.word1(packet), nowUs);
            case SrtPacket.CTRL_SHUTDOWN -> {
                window.drain(deliver); // what arrived is delivered, not thrown away
                close("the caller shut the connection down", false);
            }
            case SrtPacket.CTRL_HANDSHAKE -> {
                // Our conclusion answer was lost and the caller repeats its request.
                if (conclusionResponse != null) {
                    send(conclusionResponse.retainedDuplicate(), nowUs);
                }
            }
            case SrtPacket.CTRL_EXTENDED -> {
                if (SrtPacket.subtype(packet) == Handshake.EXT_KMREQ) {
                    keyRefresh(packet, nowUs);
                }
            }
            default -> {
                // keep-alive: arrival already counted; ACK, NAK, drop requests: nothing for a receiver
            }
        }
    }

    private void keyRefresh(ByteBuf packet, long nowUs) {
        if (crypto == null) {
            return;
        }
        ByteBuf body = packet.slice(
                packet.readerIndex() + SrtPacket.HEADER_SIZE, packet.readableBytes() - SrtPacket.HEADER_SIZE);
        KeyMaterial km;
        try {
            km = KeyMaterial.parse(body);
            crypto.install(km, passphrase);
            keyRefreshes++;
        } catch (IllegalArgumentException | SrtCrypto.BadSecretException e) {
            return;
        }
        ByteBuf rsp = out.alloc().buffer(SrtPacket.HEADER_SIZE + km.encodedLength());
        SrtPacket.writeControlHeader(rsp, SrtPacket.CTRL_EXTENDED, Handshake.EXT_KMRSP, 0, (int) nowUs, peerSocketId);
        km.write(rsp);
        send(rsp, nowUs);
    }

    private void ackAck(int number, long nowUs) {
        int i = Math.floorMod(number, ACK_HISTORY);
        if (ackNumbers[i] != number || ackTimes[i] == 0) {
            return;
        }
        ackAcks++;
        long sample = nowUs - ackTimes[i];
        ackTimes[i] = 0;
        rttVarUs = (3 * rttVarUs + Math.abs(sample - rttUs)) / 4;
        rttUs = (7 * rttUs + sample) / 8;
    }

    /**
     * When {@link #tick} next has work to do (an ACK, a loss report, a release, a keep-alive, the idle timeout),
     * give or take {@link #TIMER_SLACK_US}; {@link Long#MIN_VALUE} once closed. The
     * rest of a tick's work (clock drift, rates, reorder decay) is caught up whenever it runs.
     */
    public long dueUs() {
        if (closed) {
            return Long.MIN_VALUE;
        }
        long due = Math.min(lastReceivedUs + IDLE_TIMEOUT_US, lastSentUs + KEEPALIVE_US);
        due = Math.min(due, nextLossReportUs);
        if (window.ackSequence() != lastAckSequence) {
            due = Math.min(due, (lastAckInterval + 1) * ACK_INTERVAL_US);
        }
        return Math.min(due, window.nextReleaseUs(baseUs, latencyUs));
    }

    /**
     * After a read burst that brought this connection data: delivers what completed and acknowledges it now,
     * unless an ACK went out in this interval already (then a tick does at the next). Acknowledged while the
     * server's reading is paused, the caller's ACKACK waits in the socket for the next grid point's read instead
     * of waking the port on its own (bench/srt/README.md).
     *
     * @param readUntilUs as for {@link #tick(long, long)}
     */
    public void burstEnded(long nowUs, long readUntilUs) {
        if (closed) {
            return;
        }
        window.release(dropClock(nowUs, readUntilUs), baseUs, latencyUs, deliver);
        if (!closed && ackDue(nowUs)) {
            sendAck(window.ackSequence(), nowUs);
        }
    }

    /**
     * Whether an ACK is owed: progress since the last, which went out in an earlier {@link #ACK_INTERVAL_US}
     * interval of the local clock (give or take {@link #TIMER_SLACK_US}): draft-sharabayko-srt's full ACK every
     * 10 ms, on the intervals the server's grid runs on.
     */
    private boolean ackDue(long nowUs) {
        return window.ackSequence() != lastAckSequence && ackInterval(nowUs) > lastAckInterval;
    }

    /** The interval {@code nowUs} counts in: a tick a little early counts in the one it stands for. */
    private static long ackInterval(long nowUs) {
        return Math.floorDiv(nowUs + TIMER_SLACK_US, ACK_INTERVAL_US);
    }

    /** A missing packet is given up only if its successor was due by when the socket was last read empty. */
    private long dropClock(long nowUs, long readUntilUs) {
        return Math.max(Math.min(readUntilUs, nowUs), nowUs - latencyUs / 2);
    }

    /** {@link #tick(long, long)} with every datagram that arrived until now read. */
    public boolean tick(long nowUs) {
        return tick(nowUs, nowUs);
    }

    /**
     * Runs what is due at {@code nowUs}: release (too-late drop), ACK, periodic NAK, keep-alive, idle timeout.
     *
     * @param readUntilUs when the server last read its socket empty: a missing packet is given up (too-late drop)
     *     only if its successor was due by then, since one that came in time may wait unread behind a busy loop.
     *     Never trusted further back than half the latency (a silent socket is not read, so not known empty).
     * @return false once the connection has closed
     */
    public boolean tick(long nowUs, long readUntilUs) {
        if (closed) {
            return false;
        }
        if (nowUs - lastReceivedUs > IDLE_TIMEOUT_US) {
            close("no packet from the caller for " + IDLE_TIMEOUT_US / 1_000_000 + " s", true);
            return false;
        }
        if (nowUs - driftWindowStartUs >= DRIFT_WINDOW_US) {
            // A caller clock slower than ours shows as a growing shortest delay: follow it up,
            // a little at a time, so the latency does not creep over a long stream.
            if (windowMinOffsetUs != Long.MAX_VALUE && windowMinOffsetUs > baseUs) {
                baseUs += Math.min(windowMinOffsetUs - baseUs, MAX_DRIFT_STEP_US);
            }
            windowMinOffsetUs = Long.MAX_VALUE;
            driftWindowStartUs = nowUs;
        }
        window.release(dropClock(nowUs, readUntilUs), baseUs, latencyUs, deliver);
        if (closed) {
            return false;
        }
        if (nowUs - rateWindowStartUs >= 1_000_000) {
            long span = nowUs - rateWindowStartUs;
            packetRate = (int) (rateWindowPackets * 1_000_000 / span);
            byteRate = (int) (rateWindowBytes * 1_000_000 / span);
            rateWindowStartUs = nowUs;
            rateWindowPackets = 0;
            rateWindowBytes = 0;
        }
        if (ackDue(nowUs)) {
            sendAck(window.ackSequence(), nowUs);
        }
        if (nowUs >= nextLossReportUs) {
            reportLosses(nowUs);
        }
        while (nowUs - lastReorderDecayUs >= REORDER_DECAY_US) { // ticks may be seconds apart (an idle caller)
            reorderToleranceUs -= reorderToleranceUs / 16;
            lastReorderDecayUs += REORDER_DECAY_US;
        }
        if (nowUs - lastSentUs >= KEEPALIVE_US) {
            ByteBuf ka = out.alloc().buffer(SrtPacket.HEADER_SIZE + 4);
            SrtPacket.writeControlHeader(ka, SrtPacket.CTRL_KEEPALIVE, 0, 0, (int) nowUs, peerSocketId);
            ka.writeInt(0);
            send(ka, nowUs);
        }
        return true;
    }

    private void sendAck(int ackSeq, long nowUs) {
        ackNumber++;
        int i = Math.floorMod(ackNumber, ACK_HISTORY);
        ackNumbers[i] = ackNumber;
        ackTimes[i] = nowUs;
        ByteBuf ack = out.alloc().buffer(SrtPacket.HEADER_SIZE + 28);
        SrtPacket.writeControlHeader(ack, SrtPacket.CTRL_ACK, 0, ackNumber, (int) nowUs, peerSocketId);
        ack.writeInt(ackSeq);
        ack.writeInt((int) rttUs);
        ack.writeInt((int) rttVarUs);
        ack.writeInt(Math.max(2, window.available()));
        ack.writeInt(packetRate);
        ack.writeInt(Math.max(packetRate, 1000)); // link capacity estimate: the receiver does not probe
        ack.writeInt(byteRate);
        lastAckInterval = ackInterval(nowUs);
        lastAckSequence = ackSeq;
        send(ack, nowUs);
    }

    /**
     * Sends the losses whose report is due: each missing packet is reported once it has been missing longer than
     * the reorder tolerance, then again each RTT + 4 RTTVar (never sooner than {@link #MIN_NAK_INTERVAL_US}) plus
     * the reorder tolerance while it stays missing, since its retransmission or our report may have been lost, but
     * not before the retransmission could have come: the smoothed RTT is the mean round trip, and a retransmission
     * is delayed by the path's spread like any packet.
     */
    private void reportLosses(long nowUs) {
        ByteBuf nak = out.alloc().buffer(SrtPacket.HEADER_SIZE + 8 * MAX_NAK_RANGES);
        SrtPacket.writeControlHeader(nak, SrtPacket.CTRL_NAK, 0, 0, (int) nowUs, peerSocketId);
        long again = Math.max(MIN_NAK_INTERVAL_US, rttUs + 4 * rttVarUs) + reorderToleranceUs;
        nextLossReportUs =
                window.reportLosses(MAX_NAK_RANGES, nowUs, again, (first, last) -> writeLoss(nak, first, last));
        if (nak.readableBytes() == SrtPacket.HEADER_SIZE) {
            nak.release();
            return;
        }
        lossReports++;
        send(nak, nowUs);
    }

    /** A single loss is its sequence number; a range is the first with the top bit set, then the last. */
    private static void writeLoss(ByteBuf nak, int first, int last) {
        if (first == last) {
            nak.writeInt(first);
        } else {
            nak.writeInt(first | 0x8000_0000);
            nak.writeInt(last);
        }
    }

    private void send(ByteBuf packet, long nowUs) {
        lastSentUs = nowUs;
        out.send(packet);
    }

    /** Ends the connection: frees the buffer, tells the session, and (if asked) the caller. */
    public void close(String reason, boolean tellCaller) {
        if (closed) {
            return;
        }
        closed = true;
        if (tellCaller) {
            ByteBuf shutdown = out.alloc().buffer(SrtPacket.HEADER_SIZE + 4);
            SrtPacket.writeControlHeader(shutdown, SrtPacket.CTRL_SHUTDOWN, 0, 0, (int) lastSentUs, peerSocketId);
            shutdown.writeInt(0);
            out.send(shutdown);
        }
        window.clear();
        if (conclusionResponse != null) {
            conclusionResponse.release();
        }
        session.onClose(reason, stats());
    }

    private long unwrap(long ts32) {
        int delta = (int) (ts32 - (lastTs & 0xFFFF_FFFFL));
        lastTs += delta;
        return lastTs;
    }

    /** Counters of this connection, for logs and health. */
    public Stats stats() {
        return new Stats(
                packetsReceived,
                bytesReceived,
                retransmitsReceived,
                window.lostTotal(),
                window.droppedTooLate(),
                undecryptable,
                duplicates,
                outOfWindow,
                ackAcks,
                keyRefreshes,
                rttUs,
                reordered,
                lossReports,
                reorderToleranceUs);
    }

    /**
     * @param lost packets found missing when a later one arrived (reordering included; each
     *        counted once, whether later recovered or not)
     * @param droppedTooLate packets given up because their successors were due
     * @param reordered originals that came after a later packet (not lost, late)
     * @param lossReports NAK packets sent
     * @param reorderToleranceUs how long a gap now waits before it is reported
     */
    public record Stats(
            long packets,
            long bytes,
            long retransmits,
            long lost,
            long droppedTooLate,
            long undecryptable,
            long duplicates,
            long outOfWindow,
            long ackAcks,
            long keyRefreshes,
            long rttUs,
            long reordered,
            long lossReports,
            long reorderToleranceUs) {}
}
