package io.openivs.server.ingest.srt;

import io.netty.buffer.ByteBuf;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The receiver's packet buffer of one connection: a ring of slots indexed by sequence number
 * from the next packet to deliver ({@link #head()}) up to {@link #capacity()} packets ahead.
 * Finds gaps (the loss list, each missing packet with when its loss report is next due), the acknowledgement
 * point, and releases packets in order, dropping the still-missing packets whose successors' TSBPD time has
 * come (too-late drop).
 *
 * <p>A packet that arrives in order is released at once, not held until its TSBPD time: the receiver is a
 * remuxer, which times media by its PTS and has no use for the sender's pacing. Only a gap waits, for its
 * retransmission, as long as TSBPD allows (until the packet after it is due); what follows the gap waits with
 * it. Held to TSBPD time, each of a 1 Mbps stream's bursts cost the port one wake-up more, and the stream
 * reached viewers the whole latency (120 ms or more) later (bench/srt/README.md).
 * Holds retained payload slices; one owner thread.
 */
final class ReceiveWindow {

    private final int capacity;
    private final ByteBuf[] payloads;
    /** Held slots: the sender's timestamp (unwrapped, microseconds); missing slots: when the gap was seen. */
    private final long[] times;
    /** Missing slots: when the next loss report for the packet is due (local microseconds). */
    private final long[] reportDue;

    private int head;
    /** Highest sequence received, as an offset from head; -1 when none is held or expected. */
    private int highestOffset = -1;
    /** Offset from head of the first missing packet (the ACK point), &lt;= highestOffset + 1. */
    private int contiguous;

    private int held;

    private long lostTotal;
    private long droppedTooLate;

    /** @param capacity a power of two, so slots stay put across the 31-bit sequence wrap */
    ReceiveWindow(int capacity, int initialSequence) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.payloads = new ByteBuf[capacity];
        this.times = new long[capacity];
        this.reportDue = new long[capacity];
        this.head = initialSequence;
    }

    enum Insert {
        NEW,
        DUPLICATE,
        BEHIND,
        BEYOND
    }

    int capacity() {
        return capacity;
    }

    int head() {
        return head;
    }

    int held() {
        return held;
    }

    /** Slots free to the sender: what an ACK advertises. */
    int available() {
        return capacity - (highestOffset + 1);
    }

    /** The first sequence number not yet received in order: the ACK point. */
    int ackSequence() {
        return SeqNo.add(head, contiguous);
    }

    long lostTotal() {
        return lostTotal;
    }

    long droppedTooLate() {
        return droppedTooLate;
    }

    /** The first sequence number of the gap the last {@link Insert#NEW} opened, when {@link #gapLength()} > 0. */
    private int gapStart;

    private int gapLength;

    /** How long the packet the last {@link Insert#NEW} filled had been missing, if it was an original; else -1. */
    private long reorderedAfterUs = -1;

    int gapStart() {
        return gapStart;
    }

    int gapLength() {
        return gapLength;
    }

    /**
     * After an {@link Insert#NEW} that filled a gap with a packet sent once (no retransmission flag): how long
     * after the gap was seen it came, the path's reordering; -1 for any other insert.
     */
    long reorderedAfterUs() {
        return reorderedAfterUs;
    }

    /** Stores a packet that arrived at time 0, reporting any gap it opens at once: for tests. */
    Insert insert(int seq, long timeUs, ByteBuf payload) {
        return insert(seq, timeUs, payload, false, 0, 0);
    }

    /**
     * Stores a packet.
     *
     * @param payload retained by the window on {@link Insert#NEW} (as a slice); otherwise not kept
     * @param retransmitted whether the sender flagged the packet as a retransmission
     * @param nowUs the local time it arrived
     * @param reportAfterUs how long a gap this packet opens may stay missing before its loss is reported: the
     *     reorder tolerance
     */
    Insert insert(int seq, long timeUs, ByteBuf payload, boolean retransmitted, long nowUs, long reportAfterUs) {
        gapLength = 0;
        reorderedAfterUs = -1;
        int offset = SeqNo.diff(seq, head);
        if (offset < 0) {
            return Insert.BEHIND;
        }
        if (offset >= capacity) {
            return Insert.BEYOND;
        }
        int slot = slot(offset);
        if (payloads[slot] != null) {
            return Insert.DUPLICATE;
        }
        if (offset < highestOffset && !retransmitted) {
            reorderedAfterUs = nowUs - times[slot];
        }
        payloads[slot] = payload.retainedSlice();
        times[slot] = timeUs;
        held++;
        if (offset > highestOffset + 1) {
            gapStart = SeqNo.add(head, highestOffset + 1);
            gapLength = offset - highestOffset - 1;
            lostTotal += gapLength;
            for (int o = highestOffset + 1; o < offset; o++) {
                times[slot(o)] = nowUs;
                reportDue[slot(o)] = nowUs + reportAfterUs;
            }
        }
        if (offset > highestOffset) {
            highestOffset = offset;
        }
        while (contiguous <= highestOffset && payloads[slot(contiguous)] != null) {
            contiguous++;
        }
        return Insert.NEW;
    }

    /** Whether the packet at {@code offset} (0 &lt;= offset &lt; capacity) is held. */
    boolean holds(int offset) {
        return payloads[slot(offset)] != null;
    }

    /**
     * Calls {@code ranges} with (first, last) sequence pairs of the packets missing between the ACK point and the
     * highest received whose loss report is due at {@code nowUs}, at most {@code maxRanges} ranges, and makes each
     * reported packet due again {@code againAfterUs} later (its retransmission needs a round trip to arrive).
     *
     * @return when the next report is due, {@link Long#MAX_VALUE} when nothing is missing
     */
    long reportLosses(int maxRanges, long nowUs, long againAfterUs, BiConsumer<Integer, Integer> ranges) {
        long next = Long.MAX_VALUE;
        int n = 0;
        int first = -1;
        for (int o = contiguous; o <= highestOffset; o++) {
            int slot = slot(o);
            boolean due = payloads[slot] == null && reportDue[slot] <= nowUs && n < maxRanges;
            if (due) {
                reportDue[slot] = nowUs + againAfterUs;
                if (first < 0) {
                    first = o;
                }
            } else if (first >= 0) {
                ranges.accept(SeqNo.add(head, first), SeqNo.add(head, o - 1));
                n++;
                first = -1;
            }
            if (payloads[slot] == null) {
                next = Math.min(next, reportDue[slot]);
            }
        }
        if (first >= 0) {
            ranges.accept(SeqNo.add(head, first), SeqNo.add(head, highestOffset));
        }
        return next;
    }

    /**
     * When {@link #release} next has something to do: 0 (now) when the next packet to deliver is held; when it is
     * missing, the time its gap is given up (its next present successor's TSBPD time, {@code baseUs + time +
     * latencyUs}); {@link Long#MAX_VALUE} with nothing held.
     */
    long nextReleaseUs(long baseUs, long latencyUs) {
        int o = 0;
        while (o <= highestOffset && payloads[slot(o)] == null) {
            o++;
        }
        if (o > highestOffset) {
            return Long.MAX_VALUE;
        }
        return o == 0 ? 0 : baseUs + times[slot(o)] + latencyUs;
    }

    /**
     * Delivers, in order, every held packet up to the first gap; a gap whose next present packet's TSBPD time
     * ({@code baseUs + time + latencyUs}) has come by {@code readUntilUs} is given up (too-late drop), and what
     * follows it delivered.
     *
     * @param readUntilUs the time up to which every datagram that arrived has been read: a packet that came in
     *     time but still waits in the socket (a busy loop) must not be given up
     */
    void release(long readUntilUs, long baseUs, long latencyUs, Consumer<ByteBuf> deliver) {
        while (highestOffset >= 0) {
            int slot = slot(0);
            ByteBuf p = payloads[slot];
            if (p == null) {
                // The next present packet decides whether the gap can still be filled.
                int next = contiguous;
                while (next <= highestOffset && payloads[slot(next)] == null) {
                    next++;
                }
                if (next > highestOffset || baseUs + times[slot(next)] + latencyUs > readUntilUs) {
                    return;
                }
                droppedTooLate += next;
                advance(next);
                continue;
            }
            payloads[slot] = null;
            held--;
            advance(1);
            try {
                deliver.accept(p);
            } finally {
                p.release();
            }
        }
    }

    /** Moves head by {@code n} slots, all empty by now. */
    private void advance(int n) {
        head = SeqNo.add(head, n);
        highestOffset -= n;
        contiguous = Math.max(0, contiguous - n);
        while (contiguous <= highestOffset && payloads[slot(contiguous)] != null) {
            contiguous++;
        }
    }

    /** Delivers every held packet in order at once, skipping gaps: the caller has said goodbye. */
    void drain(Consumer<ByteBuf> deliver) {
        release(Long.MAX_VALUE / 2, 0, 0, deliver);
    }

    /** Frees every held payload. */
    void clear() {
        for (int i = 0; i < capacity; i++) {
            if (payloads[i] != null) {
                payloads[i].release();
                payloads[i] = null;
            }
        }
        held = 0;
        highestOffset = -1; // a release under way (its delivery closed the connection) ends here
        contiguous = 0;
    }

    private int slot(int offset) {
        return (head + offset) & (capacity - 1);
    }
}
