package io.openivs.server.media.ts;

import io.netty.buffer.ByteBuf;

/** Writes the PES packet header (ISO/IEC 13818-1 2.4.3.6) with PTS and, when it differs, DTS. */
final class PesHeader {

    static final int STREAM_ID_VIDEO = 0xE0;
    static final int STREAM_ID_AUDIO = 0xC0;
    /** private_stream_1, which carries timed ID3 in HLS. */
    static final int STREAM_ID_PRIVATE_1 = 0xBD;

    private static final int MAX_PACKET_LENGTH = 0xFFFF;

    private PesHeader() {}

    /**
     * @param pts 33-bit presentation time
     * @param dts 33-bit decode time
     * @param payloadLength bytes of elementary stream data after the header
     */
    static void write(ByteBuf out, int streamId, long pts, long dts, int payloadLength) {
        boolean withDts = dts != pts;
        int headerDataLength = withDts ? 10 : 5;
        int packetLength = 3 + headerDataLength + payloadLength;
        if (packetLength > MAX_PACKET_LENGTH) {
            if (streamId != STREAM_ID_VIDEO) {
                throw new IllegalArgumentException("PES of " + payloadLength + " bytes");
            }
            packetLength = 0; // unbounded, allowed for video only
        }
        out.writeInt(0x000001_00 | streamId);
        out.writeShort(packetLength);
        out.writeByte(0x84); // '10', data_alignment_indicator: each PES starts an access unit
        out.writeByte(withDts ? 0xC0 : 0x80);
        out.writeByte(headerDataLength);
        writeTimestamp(out, withDts ? 0x3 : 0x2, pts);
        if (withDts) {
            writeTimestamp(out, 0x1, dts);
        }
    }

    private static void writeTimestamp(ByteBuf out, int prefix, long ts) {
        out.writeByte((prefix << 4) | (int) ((ts >>> 29) & 0x0E) | 1);
        out.writeShort((int) ((ts >>> 14) & 0xFFFE) | 1);
        out.writeShort((int) ((ts << 1) & 0xFFFE) | 1);
    }
}
