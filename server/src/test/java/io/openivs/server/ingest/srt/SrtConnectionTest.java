package io.openivs.server.ingest.srt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The receiving state machine driven by hand: packets in, the time passing, answers out. */
class SrtConnectionTest {

    static final int OURS = 1111;
    static final int PEER = 2222;
    static final int ISN = 5000;

    final List<ByteBuf> sent = new ArrayList<>();
    final List<Integer> delivered = new ArrayList<>();
    String closedWith;

    final SrtConnection connection = new SrtConnection(
            OURS,
            PEER,
            ISN,
            256,
            500_000,
            null,
            null,
            0,
            0,
            null,
            0, // a path known not to reorder: gaps are reported at once
            new SrtConnection.Output() {
                @Override
                public ByteBufAllocator alloc() {
                    return ByteBufAllocator.DEFAULT;
                }

                @Override
                public void send(ByteBuf packet) {
                    sent.add(packet);
                }
            },
            new SrtIngest.Session() {
                @Override
                public void onPayload(ByteBuf payload) {
                    delivered.add(payload.getInt(payload.readerIndex()));
                }

                @Override
                public void onClose(String reason, SrtConnection.Stats stats) {
                    closedWith = reason;
                }
            });

    @AfterEach
    void release() {
        sent.forEach(ByteBuf::release);
    }

    static ByteBuf data(int seq, int timestampUs) {
        ByteBuf p = Unpooled.buffer();
        SrtPacket.writeDataHeader(p, seq, 1, SrtPacket.KK_NONE, timestampUs, OURS);
        p.writeInt(seq);
        return p;
    }

    static ByteBuf retransmitted(int seq, int timestampUs) {
        ByteBuf p = data(seq, timestampUs);
        p.setInt(4, p.getInt(4) | 0x0400_0000); // the R flag of the message number word
        return p;
    }

    List<ByteBuf> sentOfType(int type) {
        return sent.stream()
                .filter(p -> SrtPacket.isControl(p) && SrtPacket.controlType(p) == type)
                .toList();
    }

    @Test
    void aGapIsNakedAtOnceAndAgainUntilRepaired() {
        connection.onPacket(data(ISN, 0), 1_000);
        connection.onPacket(data(ISN + 3, 3_000), 4_000);
        List<ByteBuf> naks = sentOfType(SrtPacket.CTRL_NAK);
        assertThat(naks).hasSize(1);
        ByteBuf nak = naks.get(0);
        assertThat(SrtPacket.destinationSocket(nak)).isEqualTo(PEER);
        assertThat(nak.getInt(16)).isEqualTo((ISN + 1) | 0x8000_0000);
        assertThat(nak.getInt(20)).isEqualTo(ISN + 2);

        connection.tick(30_000);
        connection.tick(300_000); // the retransmission has a round trip (RTT + 4 RTTVar, 300 ms untimed) to come
        assertThat(sentOfType(SrtPacket.CTRL_NAK)).hasSize(1);
        connection.tick(305_000); // then the loss is reported again
        assertThat(sentOfType(SrtPacket.CTRL_NAK)).hasSize(2);
        connection.tick(310_000);
        assertThat(sentOfType(SrtPacket.CTRL_NAK)).hasSize(2);
        ByteBuf ack = sentOfType(SrtPacket.CTRL_ACK).get(0);
        assertThat(ack.getInt(16)).as("ACK point: the first missing").isEqualTo(ISN + 1);

        connection.onPacket(retransmitted(ISN + 1, 1_000), 320_000);
        connection.onPacket(retransmitted(ISN + 2, 2_000), 320_000);
        assertThat(connection.stats().reordered()).isZero();
        connection.tick(330_000);
        List<ByteBuf> acks = sentOfType(SrtPacket.CTRL_ACK);
        assertThat(acks.get(acks.size() - 1).getInt(16)).isEqualTo(ISN + 4);
        connection.tick(700_000);
        assertThat(sentOfType(SrtPacket.CTRL_NAK)).hasSize(2);
        assertThat(delivered).containsExactly(ISN, ISN + 1, ISN + 2, ISN + 3);
        assertThat(connection.stats().lost()).isEqualTo(2);
        assertThat(connection.stats().droppedTooLate()).isZero();
    }

    @Test
    void aReorderingPathIsLearntAndItsLatePacketsAreNotReportedLost() {
        connection.onPacket(data(ISN, 0), 1_000);
        connection.onPacket(data(ISN + 2, 2_000), 2_000);
        assertThat(sentOfType(SrtPacket.CTRL_NAK))
                .as("no reordering seen yet: at once")
                .hasSize(1);
        connection.onPacket(data(ISN + 1, 1_000), 32_000); // not lost: 30 ms late
        assertThat(connection.stats().reordered()).isEqualTo(1);
        assertThat(connection.stats().reorderToleranceUs()).isEqualTo(45_000);

        // The next gap waits out the tolerance: its packet comes late, unreported.
        connection.onPacket(data(ISN + 4, 4_000), 40_000);
        connection.tick(45_000);
        connection.onPacket(data(ISN + 3, 3_000), 60_000);
        connection.tick(100_000);
        assertThat(sentOfType(SrtPacket.CTRL_NAK)).hasSize(1);

        // A real loss is reported once the tolerance has passed, not before.
        connection.onPacket(data(ISN + 6, 6_000), 110_000);
        connection.tick(150_000);
        assertThat(sentOfType(SrtPacket.CTRL_NAK)).hasSize(1);
        connection.tick(156_000);
        List<ByteBuf> naks = sentOfType(SrtPacket.CTRL_NAK);
        assertThat(naks).hasSize(2);
        assertThat(naks.get(1).getInt(16)).isEqualTo(ISN + 5);
        assertThat(naks.get(1).readableBytes()).isEqualTo(20);
    }

    @Test
    void aReadBurstsPayloadsAreDeliveredAndAcknowledgedAtItsEnd() {
        connection.onPacket(data(ISN, 10_000), 10_000);
        connection.onPacket(data(ISN + 1, 10_000), 10_100);
        assertThat(delivered).isEmpty();
        connection.burstEnded(10_200, 10_200);
        assertThat(delivered).as("not held to their TSBPD time (+500 ms)").containsExactly(ISN, ISN + 1);
        assertThat(sentOfType(SrtPacket.CTRL_ACK)).hasSize(1);
        assertThat(sentOfType(SrtPacket.CTRL_ACK).get(0).getInt(16)).isEqualTo(ISN + 2);

        connection.onPacket(data(ISN + 2, 15_000), 15_000);
        connection.burstEnded(15_000, 15_000);
        assertThat(delivered).containsExactly(ISN, ISN + 1, ISN + 2);
        assertThat(sentOfType(SrtPacket.CTRL_ACK)).as("one ACK an interval").hasSize(1);
        assertThat(connection.dueUs()).isEqualTo(20_000);
        connection.tick(20_000);
        assertThat(sentOfType(SrtPacket.CTRL_ACK)).hasSize(2);
        assertThat(sentOfType(SrtPacket.CTRL_ACK).get(1).getInt(16)).isEqualTo(ISN + 3);
    }

    @Test
    void ackAckTimesTheRoundTrip() {
        connection.onPacket(data(ISN, 0), 0);
        connection.tick(10_000);
        ByteBuf ack = sentOfType(SrtPacket.CTRL_ACK).get(0);
        int ackNumber = SrtPacket.word1(ack);
        ByteBuf ackAck = Unpooled.buffer();
        SrtPacket.writeControlHeader(ackAck, SrtPacket.CTRL_ACKACK, 0, ackNumber, 0, OURS);
        connection.onPacket(ackAck, 12_000);
        assertThat(connection.stats().ackAcks()).isEqualTo(1);
        assertThat(connection.stats().rttUs()).isLessThan(100_000); // moved from the 100 ms guess toward 2 ms
    }

    @Test
    void silenceEndsTheConnectionAndTellsTheCaller() {
        connection.onPacket(data(ISN, 0), 0);
        assertThat(connection.tick(10_000)).isTrue();
        assertThat(sentOfType(SrtPacket.CTRL_KEEPALIVE)).isEmpty();
        assertThat(connection.tick(1_100_000)).isTrue();
        assertThat(sentOfType(SrtPacket.CTRL_KEEPALIVE)).isNotEmpty();
        assertThat(connection.tick(5_000_001)).isFalse();
        assertThat(closedWith).contains("no packet");
        assertThat(sentOfType(SrtPacket.CTRL_SHUTDOWN)).hasSize(1);
    }

    @Test
    void encryptedPacketsWithoutKeysAreCountedNotDelivered() {
        ByteBuf p = Unpooled.buffer();
        SrtPacket.writeDataHeader(p, ISN, 1, SrtPacket.KK_EVEN, 0, OURS);
        p.writeInt(7);
        connection.onPacket(p, 0);
        connection.tick(1_000_000);
        assertThat(delivered).isEmpty();
        assertThat(connection.stats().undecryptable()).isEqualTo(1);
    }
}
