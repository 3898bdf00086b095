package io.openivs.server.ingest.srt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * The receiver on a simulated path, clock and all, as a quiet host would give it: 5 % of datagrams lost both ways
 * and each delayed by 0 to 50 ms (SrtLossyHlsTest's relay), a sender that sends 30 frames a second in bursts and
 * retransmits what each loss report names. Deterministic: no host load, so it shows what the receiver's own loss
 * reporting costs in needless retransmissions, and why.
 */
class SrtLossySimulationTest {

    static final int OURS = 1111;
    static final int PEER = 2222;
    static final int ISN = 1000;
    static final long LATENCY_US = 2_000_000;

    /** An event of the simulation: a datagram reaching one side, or the receiver's timer. */
    private record Event(long at, long order, ByteBuf toReceiver, ByteBuf toSender) {}

    private final PriorityQueue<Event> events =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private final Random random = new Random(7);
    private long order;
    private long now;

    private final Set<Integer> arrived = new HashSet<>();
    private final Map<Integer, Integer> reportsSent = new HashMap<>();
    private final Set<Integer> originalAfterReport = new HashSet<>();
    int retransmissions;
    int lateOriginal;
    int repeated;

    private void path(ByteBuf packet, boolean toReceiver) {
        if (random.nextDouble() < 0.05) {
            packet.release();
            return;
        }
        long at = now + random.nextInt(50_001);
        events.add(new Event(at, order++, toReceiver ? packet : null, toReceiver ? null : packet));
    }

    /** Each sequence number a loss report names: single numbers, and ranges as first (top bit set) and last. */
    private static void forEachLoss(ByteBuf nak, IntConsumer seq) {
        for (int i = SrtPacket.HEADER_SIZE; i < nak.writerIndex(); i += 4) {
            int first = nak.getInt(i);
            int last = first;
            if (first < 0) {
                first &= 0x7FFF_FFFF;
                i += 4;
                last = nak.getInt(i);
            }
            for (int s = first; s <= last; s++) {
                seq.accept(s);
            }
        }
    }

    private static ByteBuf data(int seq, long timestampUs, boolean retransmitted) {
        ByteBuf p = Unpooled.buffer();
        SrtPacket.writeDataHeader(p, seq, 1, SrtPacket.KK_NONE, (int) timestampUs, OURS);
        p.writeZero(1316);
        if (retransmitted) {
            p.setInt(4, p.getInt(4) | 0x0400_0000);
        }
        return p;
    }

    @Test
    void fewRetransmissionsAreOfPacketsTheReceiverHad() {
        simulate(SrtConnection.INITIAL_REORDER_TOLERANCE_US);
        assertThat(retransmissions).isGreaterThan(80);
        assertThat(lateOriginal + repeated)
                .as("needless copies among %d retransmissions", retransmissions)
                .isLessThanOrEqualTo(retransmissions * 3 / 100);
    }

    /**
     * What the initial tolerance is for: reporting gaps at once until the path had shown its reordering, the first
     * keyframe's burst (30 packets sent together, reordered by the jitter) made 16 needless copies of 130
     * retransmissions here, every needless copy of the stream: originals that came after their loss reports.
     */
    @Test
    void withoutAnInitialToleranceTheFirstBurstIsReportedLost() {
        simulate(0);
        assertThat(repeated).isZero();
        assertThat(lateOriginal).isGreaterThan(retransmissions * 8 / 100);
    }

    private void simulate(long initialToleranceUs) {
        Map<Integer, Long> sentAt = new HashMap<>();
        SrtConnection connection = new SrtConnection(
                OURS,
                PEER,
                ISN,
                8192,
                LATENCY_US,
                null,
                null,
                0,
                0,
                null,
                initialToleranceUs,
                new SrtConnection.Output() {
                    @Override
                    public ByteBufAllocator alloc() {
                        return ByteBufAllocator.DEFAULT;
                    }

                    @Override
                    public void send(ByteBuf packet) {
                        if (SrtPacket.controlType(packet) == SrtPacket.CTRL_NAK) {
                            forEachLoss(packet, s -> reportsSent.merge(s, 1, Integer::sum));
                        }
                        path(packet, false);
                    }
                },
                new SrtIngest.Session() {
                    @Override
                    public void onPayload(ByteBuf payload) {}

                    @Override
                    public void onClose(String reason, SrtConnection.Stats stats) {}
                });
        int next = ISN;
        long end = 24_000_000;
        long nextFrame = 0;
        long timerAt = 10_000;
        int frame = 0;
        int timerWakes = 0;
        while (now < end) {
            long t = Math.min(Math.min(nextFrame, timerAt), events.isEmpty() ? Long.MAX_VALUE : events.peek().at);
            now = t;
            if (t == nextFrame) {
                int packets = frame % 60 == 0 ? 30 : 3; // a keyframe every 2 s, about 1 Mbps in all
                for (int i = 0; i < packets; i++) {
                    sentAt.put(next, now);
                    path(data(next++, now, false), true);
                }
                frame++;
                nextFrame = frame * 1_000_000L / 30;
            } else if (t == timerAt) {
                connection.tick(now);
                timerWakes++;
                // The server's timer, after it ran: on the grid, for the connection's next work due.
                timerAt = Math.max(SrtServer.onGrid(connection.dueUs()), now + SrtServer.MIN_TIMER_US);
            } else {
                Event e = events.poll();
                boolean data = e.toReceiver != null && !SrtPacket.isControl(e.toReceiver);
                if (e.toReceiver != null && SrtPacket.isControl(e.toReceiver)) {
                    connection.onPacket(e.toReceiver, now);
                    e.toReceiver.release();
                } else if (e.toReceiver != null) {
                    int seq = SrtPacket.sequence(e.toReceiver);
                    boolean r = SrtPacket.retransmitted(e.toReceiver);
                    if (r) {
                        retransmissions++;
                    }
                    if (!arrived.add(seq)) {
                        if (!r || originalAfterReport.contains(seq)) {
                            lateOriginal++;
                        } else {
                            repeated++;
                        }
                    } else if (!r && reportsSent.containsKey(seq)) {
                        originalAfterReport.add(seq);
                    }
                    connection.onPacket(e.toReceiver, now);
                    e.toReceiver.release();
                } else {
                    ByteBuf p = e.toSender;
                    int type = SrtPacket.controlType(p);
                    if (type == SrtPacket.CTRL_ACK) {
                        ByteBuf ackAck = Unpooled.buffer();
                        SrtPacket.writeControlHeader(ackAck, SrtPacket.CTRL_ACKACK, 0, SrtPacket.word1(p), 0, OURS);
                        path(ackAck, true);
                    } else if (type == SrtPacket.CTRL_NAK) {
                        forEachLoss(p, s -> path(data(s, sentAt.get(s), true), true));
                    }
                    p.release();
                }
                if (data) {
                    timerAt = Math.min(timerAt, SrtServer.onGrid(now + 1)); // as the server does: an ACK is due
                }
            }
        }
        SrtConnection.Stats stats = connection.stats();
        System.out.printf(
                "simulated: %d retransmissions, %d needless: %d late originals, %d repeated; %d timer wakes; %s%n",
                retransmissions, lateOriginal + repeated, lateOriginal, repeated, timerWakes, stats);
        assertThat(stats.droppedTooLate()).isZero();
        connection.close("end", false);
        events.forEach(e -> (e.toReceiver != null ? e.toReceiver : e.toSender).release());
    }
}
