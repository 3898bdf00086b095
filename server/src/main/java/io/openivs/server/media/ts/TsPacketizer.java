package io.openivs.server.media.ts;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Cuts PES packets and PSI sections into 188-byte transport packets (ISO/IEC 13818-1 2.4.3),
 * keeping a continuity counter per PID for the life of the instance, so counters run on across
 * segments. Writes straight into the caller's buffer; allocates nothing per packet.
 */
final class TsPacketizer {

    static final int PACKET_SIZE = 188;
    static final int PAYLOAD_SIZE = PACKET_SIZE - 4;
    private static final byte SYNC_BYTE = 0x47;
    private static final int PCR_BYTES = 6;
    private static final byte[] STUFFING = new byte[PACKET_SIZE];

    static {
        Arrays.fill(STUFFING, (byte) 0xFF);
    }

    private final byte[] continuity = new byte[8192];
    /** One packet's header and adaptation field, put together before they are written. */
    private final byte[] head = new byte[PACKET_SIZE];

    private final BufBody bufBody = new BufBody();

    /** A PES body the packetizer takes in order, so it can be assembled from pieces without a copy. */
    interface PesBody {
        /** Bytes in the body. */
        int length();

        /** Appends the next {@code count} bytes of the body to {@code out}. */
        void writeNext(ByteBuf out, int count);
    }

    /** The readable bytes of one buffer as a body; reused, so a call allocates nothing. */
    private static final class BufBody implements PesBody {
        private ByteBuf buf;
        private int index;
        private int length;

        /** Takes {@code body}'s readable bytes; null lets go of the last one. */
        void start(ByteBuf body) {
            buf = body;
            index = body == null ? 0 : body.readerIndex();
            length = body == null ? 0 : body.readableBytes();
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public void writeNext(ByteBuf out, int count) {
            out.writeBytes(buf, index, count);
            index += count;
        }
    }

    /** Bytes {@link #writePes} may write for a PES of {@code pesBytes} (header and body): enough room never grows. */
    static int room(int pesBytes) {
        return (pesBytes / PAYLOAD_SIZE + 2) * PACKET_SIZE;
    }

    /** Writes one PSI section (PAT, PMT) that fits one packet, filling the rest with 0xFF. */
    void writeSection(ByteBuf out, int pid, ByteBuf section) {
        int length = section.readableBytes();
        if (length > PAYLOAD_SIZE - 1) {
            throw new IllegalArgumentException("PSI section of " + length + " bytes needs more than one packet");
        }
        out.ensureWritable(PACKET_SIZE);
        putHeader(head, pid, true, false, true);
        head[4] = 0; // pointer_field: the section starts right away
        out.writeBytes(head, 0, 5);
        out.writeBytes(section, section.readerIndex(), length);
        out.writeBytes(STUFFING, 0, PAYLOAD_SIZE - 1 - length);
    }

    /**
     * Writes one PES packet made of {@code header} then {@code body} (readable bytes of each; reader
     * indexes are not moved).
     *
     * @param pcr program clock reference base (90 kHz) for the first packet, or -1 for none
     * @param randomAccess sets random_access_indicator on the first packet (a decoder can start here)
     */
    void writePes(ByteBuf out, int pid, ByteBuf header, ByteBuf body, long pcr, boolean randomAccess) {
        bufBody.start(body);
        writePes(out, pid, header, bufBody, pcr, randomAccess);
        bufBody.start(null);
    }

    /**
     * As {@link #writePes(ByteBuf, int, ByteBuf, ByteBuf, long, boolean)}, the body written piece by piece.
     *
     * <p>Each packet's header and adaptation field are put together in {@link #head} and written with one call: with
     * a {@code writeByte} per field, C2 compiled this loop with every call's bounds checks inlined (11-13 KB of code,
     * the largest compile of a one-stream server, ~0.15 s of a compiler thread) and, on a trap in its profiled loop
     * predicates, compiled it again (bench/ingest/README.md, "The largest compile of a one-stream server").
     */
    void writePes(ByteBuf out, int pid, ByteBuf header, PesBody body, long pcr, boolean randomAccess) {
        int headerIndex = header.readerIndex();
        int headerLeft = header.readableBytes();
        int remaining = headerLeft + body.length();
        out.ensureWritable(room(remaining));
        boolean first = true;
        while (remaining > 0) {
            int payload = Math.min(remaining, PAYLOAD_SIZE - (first ? firstAdaptation(pcr, randomAccess) : 0));
            out.writeBytes(head, 0, packetHead(pid, first, payload, pcr, randomAccess));
            int fromHeader = Math.min(payload, headerLeft);
            if (fromHeader > 0) {
                out.writeBytes(header, headerIndex, fromHeader);
                headerIndex += fromHeader;
                headerLeft -= fromHeader;
            }
            int fromBody = payload - fromHeader;
            if (fromBody > 0) {
                body.writeNext(out, fromBody);
            }
            remaining -= payload;
            first = false;
        }
    }

    /** The adaptation field the first packet of a PES needs for its flags: length byte + flags [+ PCR], or none. */
    private static int firstAdaptation(long pcr, boolean randomAccess) {
        if (pcr >= 0) {
            return 2 + PCR_BYTES;
        }
        return randomAccess ? 2 : 0;
    }

    /**
     * Puts one PES packet's header and adaptation field in {@link #head}: the flags (and PCR) on the first packet, and
     * stuffing so that {@code payload} bytes fill the packet.
     *
     * @return the bytes put in {@link #head}
     */
    private int packetHead(int pid, boolean first, int payload, long pcr, boolean randomAccess) {
        byte[] h = head;
        int adaptation = PAYLOAD_SIZE - payload;
        putHeader(h, pid, first, adaptation > 0, true);
        int n = 4;
        if (adaptation > 0) {
            h[n++] = (byte) (adaptation - 1);
            if (adaptation > 1) {
                boolean flagged = first && (pcr >= 0 || randomAccess);
                h[n++] = (byte) (flagged ? (randomAccess ? 0x40 : 0) | (pcr >= 0 ? 0x10 : 0) : 0);
                if (flagged && pcr >= 0) {
                    putPcr(h, n, pcr);
                    n += PCR_BYTES;
                }
                int end = 4 + adaptation;
                Arrays.fill(h, n, end, (byte) 0xFF);
                n = end;
            }
        }
        return n;
    }

    /** Writes a packet that carries only a PCR, for when a PID's own packets come too seldom. */
    void writePcrOnly(ByteBuf out, int pid, long pcr) {
        byte[] h = head;
        putHeader(h, pid, false, true, false);
        h[4] = (byte) (PAYLOAD_SIZE - 1);
        h[5] = 0x10;
        putPcr(h, 6, pcr);
        Arrays.fill(h, 6 + PCR_BYTES, PACKET_SIZE, (byte) 0xFF);
        out.writeBytes(h, 0, PACKET_SIZE);
    }

    /** Puts a transport packet header in {@code h[0..3]}, advancing the PID's continuity counter if it has payload. */
    private void putHeader(byte[] h, int pid, boolean unitStart, boolean adaptation, boolean payload) {
        int counter = continuity[pid];
        if (payload) {
            continuity[pid] = (byte) ((counter + 1) & 0x0F);
        } else {
            counter = (counter - 1) & 0x0F; // a packet without payload repeats the last counter
        }
        h[0] = SYNC_BYTE;
        h[1] = (byte) ((unitStart ? 0x40 : 0) | (pid >> 8));
        h[2] = (byte) pid;
        h[3] = (byte) ((adaptation ? 0x20 : 0) | (payload ? 0x10 : 0) | counter);
    }

    private static void putPcr(byte[] h, int at, long base) {
        int high = (int) (base >>> 1);
        h[at] = (byte) (high >>> 24);
        h[at + 1] = (byte) (high >>> 16);
        h[at + 2] = (byte) (high >>> 8);
        h[at + 3] = (byte) high;
        h[at + 4] = (byte) (((base & 1) << 7) | 0x7E); // 6 reserved bits, extension high bit 0
        h[at + 5] = 0; // extension: 27 MHz remainder unused
    }
}
