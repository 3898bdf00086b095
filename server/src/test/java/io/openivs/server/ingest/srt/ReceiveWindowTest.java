package io.openivs.server.ingest.srt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loss detection, ACK point, in-order release and too-late drop of the receive window. */
class ReceiveWindowTest {

    static final long LATENCY = 120_000;

    final List<Integer> delivered = new ArrayList<>();

    ByteBuf payload(int value) {
        return Unpooled.buffer(4).writeInt(value);
    }

    /** Releases with every datagram that arrived by {@code readUntil} read. */
    void release(ReceiveWindow w, long readUntil) {
        w.release(readUntil, 0, LATENCY, p -> delivered.add(p.getInt(p.readerIndex())));
    }

    @Test
    void packetsInOrderAreDeliveredAtOnceAndAGapHoldsWhatFollows() {
        ReceiveWindow w = new ReceiveWindow(64, 0);
        w.insert(0, 5_000, payload(0));
        w.insert(1, 6_000, payload(1));
        assertThat(w.nextReleaseUs(0, LATENCY)).as("due now").isZero();
        release(w, 6_000); // long before their TSBPD time (LATENCY + 5 ms)
        assertThat(delivered).containsExactly(0, 1);
        assertThat(w.nextReleaseUs(0, LATENCY)).isEqualTo(Long.MAX_VALUE);

        w.insert(3, 8_000, payload(3));
        assertThat(w.nextReleaseUs(0, LATENCY))
                .as("the gap is given up at 3's TSBPD time")
                .isEqualTo(LATENCY + 8_000);
        release(w, 8_000);
        assertThat(delivered).containsExactly(0, 1);
        w.insert(2, 7_000, payload(2));
        release(w, 9_000);
        assertThat(delivered).containsExactly(0, 1, 2, 3);
        assertThat(w.held()).isZero();
        assertThat(w.droppedTooLate()).isZero();
    }

    @Test
    void gapsAreReportedOnceAndFilledByRetransmission() {
        ReceiveWindow w = new ReceiveWindow(64, 100);
        assertThat(w.insert(100, 0, payload(100))).isEqualTo(ReceiveWindow.Insert.NEW);
        assertThat(w.insert(103, 30, payload(103))).isEqualTo(ReceiveWindow.Insert.NEW);
        assertThat(w.gapStart()).isEqualTo(101);
        assertThat(w.gapLength()).isEqualTo(2);
        assertThat(w.ackSequence()).isEqualTo(101);
        List<int[]> ranges = new ArrayList<>();
        assertThat(w.reportLosses(10, 0, 1_000, (a, b) -> ranges.add(new int[] {a, b})))
                .as("reported again a round trip later")
                .isEqualTo(1_000);
        assertThat(ranges).containsExactly(new int[] {101, 102});

        assertThat(w.insert(102, 20, payload(102))).isEqualTo(ReceiveWindow.Insert.NEW);
        assertThat(w.gapLength()).isZero();
        assertThat(w.insert(102, 20, payload(102))).isEqualTo(ReceiveWindow.Insert.DUPLICATE);
        assertThat(w.insert(101, 10, payload(101))).isEqualTo(ReceiveWindow.Insert.NEW);
        assertThat(w.ackSequence()).isEqualTo(104);

        release(w, 30);
        assertThat(delivered).containsExactly(100, 101, 102, 103);
        assertThat(w.insert(101, 10, payload(101))).isEqualTo(ReceiveWindow.Insert.BEHIND);
        assertThat(w.droppedTooLate()).isZero();
    }

    @Test
    void aGapIsGivenUpWhenThePacketAfterItIsDue() {
        ReceiveWindow w = new ReceiveWindow(64, 0);
        w.insert(0, 0, payload(0));
        w.insert(3, 3000, payload(3));
        release(w, LATENCY + 2999);
        assertThat(delivered).containsExactly(0);
        release(w, LATENCY + 3000);
        assertThat(delivered).containsExactly(0, 3);
        assertThat(w.droppedTooLate()).isEqualTo(2);
        assertThat(w.ackSequence()).isEqualTo(4);
        assertThat(w.insert(1, 1000, payload(1))).isEqualTo(ReceiveWindow.Insert.BEHIND);
    }

    @Test
    void aGapIsKeptWhileItsPacketMayStillWaitUnreadInTheSocket() {
        ReceiveWindow w = new ReceiveWindow(64, 0);
        w.insert(0, 0, payload(0));
        w.insert(2, 2000, payload(2));
        // Packet 2 is due, but the socket was last read empty before that: a retransmission of 1 that came in
        // time may be waiting behind a busy loop.
        release(w, LATENCY + 1500);
        assertThat(delivered).containsExactly(0);
        assertThat(w.insert(1, 1000, payload(1))).isEqualTo(ReceiveWindow.Insert.NEW);
        release(w, LATENCY + 2600);
        assertThat(delivered).containsExactly(0, 1, 2);
        assertThat(w.droppedTooLate()).isZero();
    }

    @Test
    void sequenceNumbersWrapInsideTheWindow() {
        int start = SeqNo.MAX - 2;
        ReceiveWindow w = new ReceiveWindow(16, start);
        for (int i = 0; i < 6; i++) {
            assertThat(w.insert(SeqNo.add(start, i), i, payload(i))).isEqualTo(ReceiveWindow.Insert.NEW);
        }
        assertThat(w.ackSequence()).isEqualTo(3);
        release(w, LATENCY + 10);
        assertThat(delivered).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void packetsBeyondTheWindowAreRefusedAndNothingLeaks() {
        ReceiveWindow w = new ReceiveWindow(8, 0);
        ByteBuf p = payload(1);
        assertThat(w.insert(8, 0, p)).isEqualTo(ReceiveWindow.Insert.BEYOND);
        assertThat(w.insert(7, 0, p)).isEqualTo(ReceiveWindow.Insert.NEW);
        assertThat(p.refCnt()).isEqualTo(2);
        w.clear();
        assertThat(p.refCnt()).isEqualTo(1);
        assertThat(w.held()).isZero();
    }
}
