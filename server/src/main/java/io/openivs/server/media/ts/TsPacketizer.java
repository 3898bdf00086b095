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
    private static final int SYNC_BYTE = 0x47;
    private static final int PCR_BYTES = 6;
    private static final byte[] STUFFING = new byte[PACKET_SIZE];

    static {
        Arrays.fill(STUFFING, (byte) 0xFF);
    }

    private final byte[] continuity = new byte[8192];
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
        writeHeader(out, pid, true, false, true);
        out.writeByte(0); // pointer_field: the section starts right away
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

    /** As {@link #writePes(ByteBuf, int, ByteBuf, ByteBuf, long, boolean)}, the body written piece by piece. */
    void writePes(ByteBuf out, int pid, ByteBuf header, PesBody body, long pcr, boolean randomAccess) {
        int headerIndex = header.readerIndex();
        int headerLeft = header.readableBytes();
        int remaining = headerLeft + body.length();
        out.ensureWritable(room(remaining));
        boolean first = true;
        while (remaining > 0) {
            boolean flagged = first && (pcr >= 0 || randomAccess);
            int adaptation = flagged ? 2 + (pcr >= 0 ? PCR_BYTES : 0) : 0; // length byte + flags [+ PCR]
            int payload = Math.min(remaining, PAYLOAD_SIZE - adaptation);
            adaptation = PAYLOAD_SIZE - payload; // the last packet is padded through the adaptation field
            writeHeader(out, pid, first, adaptation > 0, true);
            if (adaptation > 0) {
                out.writeByte(adaptation - 1);
                if (adaptation > 1) {
                    int written = 1;
                    if (flagged) {
                        out.writeByte((randomAccess ? 0x40 : 0) | (pcr >= 0 ? 0x10 : 0));
                        written++;
                        if (pcr >= 0) {
                            writePcr(out, pcr);
                            written += PCR_BYTES;
                        }
                    } else {
                        out.writeByte(0);
                        written++;
                    }
                    out.writeBytes(STUFFING, 0, adaptation - written);
                }
            }
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

    /** Writes a packet that carries only a PCR, for when a PID's own packets come too seldom. */
    void writePcrOnly(ByteBuf out, int pid, long pcr) {
        out.ensureWritable(PACKET_SIZE);
        writeHeader(out, pid, false, true, false);
        out.writeByte(PAYLOAD_SIZE - 1);
        out.writeByte(0x10);
        writePcr(out, pcr);
        out.writeBytes(STUFFING, 0, PAYLOAD_SIZE - 2 - PCR_BYTES);
    }

    private void writeHeader(ByteBuf out, int pid, boolean unitStart, boolean adaptation, boolean payload) {
        int counter = continuity[pid];
        if (payload) {
            continuity[pid] = (byte) ((counter + 1) & 0x0F);
        } else {
            counter = (counter - 1) & 0x0F; // a packet without payload repeats the last counter
        }
        out.writeByte(SYNC_BYTE);
        out.writeByte((unitStart ? 0x40 : 0) | (pid >> 8));
        out.writeByte(pid & 0xFF);
        out.writeByte((adaptation ? 0x20 : 0) | (payload ? 0x10 : 0) | counter);
    }

    private static void writePcr(ByteBuf out, long base) {
        out.writeInt((int) (base >>> 1));
        out.writeByte((int) ((base & 1) << 7) | 0x7E); // 6 reserved bits, extension high bit 0
        out.writeByte(0); // extension: 27 MHz remainder unused
    }
}
