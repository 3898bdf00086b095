package io.openivs.server.ingest.srt;

import io.netty.buffer.ByteBuf;

/**
 * The 16-byte header every SRT packet starts with (draft-sharabayko-srt section 3), read in place
 * from a datagram so the data path allocates nothing. Word 0 holds either a data packet's
 * sequence number or a control packet's type and subtype (top bit set); word 1 the data packet's
 * position/encryption flags and message number or the control packet's type-specific
 * information; word 2 a timestamp in microseconds since the sender's socket start; word 3 the
 * destination socket id.
 */
public final class SrtPacket {

    public static final int HEADER_SIZE = 16;

    public static final int CTRL_HANDSHAKE = 0;
    public static final int CTRL_KEEPALIVE = 1;
    public static final int CTRL_ACK = 2;
    public static final int CTRL_NAK = 3;
    public static final int CTRL_CONGESTION = 4;
    public static final int CTRL_SHUTDOWN = 5;
    public static final int CTRL_ACKACK = 6;
    public static final int CTRL_DROPREQ = 7;
    public static final int CTRL_PEERERROR = 8;
    /** User-defined type; with subtype 3 (KMREQ) it carries a key refresh, answered by subtype 4 (KMRSP). */
    public static final int CTRL_EXTENDED = 0x7FFF;

    /** Data packet encryption flags (KK): none, even key, odd key. */
    public static final int KK_NONE = 0;

    public static final int KK_EVEN = 1;
    public static final int KK_ODD = 2;

    private SrtPacket() {}

    public static boolean isControl(ByteBuf p) {
        return p.getByte(p.readerIndex()) < 0;
    }

    public static int sequence(ByteBuf p) {
        return p.getInt(p.readerIndex()) & SeqNo.MAX;
    }

    public static int controlType(ByteBuf p) {
        return (p.getUnsignedShort(p.readerIndex())) & 0x7FFF;
    }

    public static int subtype(ByteBuf p) {
        return p.getUnsignedShort(p.readerIndex() + 2);
    }

    /** Data: PP/O/KK/R flags and message number. Control: type-specific information. */
    public static int word1(ByteBuf p) {
        return p.getInt(p.readerIndex() + 4);
    }

    public static int keyFlags(ByteBuf p) {
        return (word1(p) >>> 27) & 3;
    }

    public static boolean retransmitted(ByteBuf p) {
        return (word1(p) & (1 << 26)) != 0;
    }

    /** Sender's timestamp, microseconds, unsigned 32 bits. */
    public static long timestamp(ByteBuf p) {
        return p.getUnsignedInt(p.readerIndex() + 8);
    }

    public static int destinationSocket(ByteBuf p) {
        return p.getInt(p.readerIndex() + 12);
    }

    /** Writes a control packet header. */
    public static void writeControlHeader(
            ByteBuf out, int type, int subtype, int typeInfo, int timestamp, int destinationSocket) {
        out.writeShort(0x8000 | type);
        out.writeShort(subtype);
        out.writeInt(typeInfo);
        out.writeInt(timestamp);
        out.writeInt(destinationSocket);
    }

    /**
     * Writes a data packet header: a solo packet (PP = 11), in order, not retransmitted.
     * Used by tests that play the caller.
     */
    public static void writeDataHeader(
            ByteBuf out, int sequence, int messageNumber, int keyFlags, int timestamp, int destinationSocket) {
        out.writeInt(sequence & SeqNo.MAX);
        out.writeInt((3 << 30) | (keyFlags << 27) | (messageNumber & 0x03FF_FFFF));
        out.writeInt(timestamp);
        out.writeInt(destinationSocket);
    }
}
