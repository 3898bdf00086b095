package io.openivs.server.media.ts;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Test-side reading of a transport stream, per ISO/IEC 13818-1, to check what the writer produced. */
final class TsPackets {

    record Packet(
            int pid,
            boolean unitStart,
            int continuity,
            boolean hasPayload,
            boolean randomAccess,
            long pcr,
            byte[] payload) {}

    /** A reassembled PES packet. */
    record Pes(
            int pid,
            int streamId,
            int declaredLength,
            long pts,
            long dts,
            boolean randomAccess,
            long pcr,
            byte[] data) {}

    private TsPackets() {}

    static List<Packet> parse(ByteBuf ts) {
        if (ts.readableBytes() % 188 != 0) {
            throw new AssertionError("not a whole number of packets: " + ts.readableBytes());
        }
        List<Packet> packets = new ArrayList<>();
        for (int p = ts.readerIndex(); p < ts.writerIndex(); p += 188) {
            if (ts.getUnsignedByte(p) != 0x47) {
                throw new AssertionError("sync byte missing at " + p);
            }
            int b1 = ts.getUnsignedByte(p + 1);
            int pid = ((b1 & 0x1F) << 8) | ts.getUnsignedByte(p + 2);
            int b3 = ts.getUnsignedByte(p + 3);
            boolean adaptation = (b3 & 0x20) != 0;
            boolean payload = (b3 & 0x10) != 0;
            int offset = 4;
            boolean rai = false;
            long pcr = -1;
            if (adaptation) {
                int length = ts.getUnsignedByte(p + 4);
                if (length > 0) {
                    int flags = ts.getUnsignedByte(p + 5);
                    rai = (flags & 0x40) != 0;
                    if ((flags & 0x10) != 0) {
                        pcr = (ts.getUnsignedInt(p + 6) << 1) | (ts.getUnsignedByte(p + 10) >> 7);
                    }
                }
                offset += 1 + length;
            }
            if (offset > 188 || (!payload && offset != 188)) {
                throw new AssertionError("bad adaptation field length at " + p);
            }
            byte[] data = new byte[188 - offset];
            ts.getBytes(p + offset, data);
            packets.add(new Packet(pid, (b1 & 0x40) != 0, b3 & 0x0F, payload, rai, pcr, data));
        }
        return packets;
    }

    static List<Pes> pes(List<Packet> packets, int pid) {
        List<Pes> out = new ArrayList<>();
        ByteArrayOutputStream current = null;
        Packet first = null;
        for (Packet p : packets) {
            if (p.pid() != pid || !p.hasPayload()) {
                continue;
            }
            if (p.unitStart()) {
                if (current != null) {
                    out.add(toPes(first, current.toByteArray()));
                }
                current = new ByteArrayOutputStream();
                first = p;
            }
            if (current != null) {
                current.write(p.payload(), 0, p.payload().length);
            }
        }
        if (current != null) {
            out.add(toPes(first, current.toByteArray()));
        }
        return out;
    }

    private static Pes toPes(Packet first, byte[] b) {
        if (b[0] != 0 || b[1] != 0 || b[2] != 1) {
            throw new AssertionError("PES start code missing");
        }
        int streamId = b[3] & 0xFF;
        int length = ((b[4] & 0xFF) << 8) | (b[5] & 0xFF);
        int flags = b[7] & 0xFF;
        int headerLength = b[8] & 0xFF;
        long pts = timestamp(b, 9);
        long dts = (flags & 0x40) != 0 ? timestamp(b, 14) : pts;
        byte[] data = java.util.Arrays.copyOfRange(b, 9 + headerLength, b.length);
        if (length != 0 && length != b.length - 6) {
            throw new AssertionError("PES_packet_length " + length + " but " + (b.length - 6) + " bytes follow");
        }
        return new Pes(first.pid(), streamId, length, pts, dts, first.randomAccess(), first.pcr(), data);
    }

    private static long timestamp(byte[] b, int i) {
        return (((long) b[i] & 0x0E) << 29)
                | ((b[i + 1] & 0xFFL) << 22)
                | ((b[i + 2] & 0xFEL) << 14)
                | ((b[i + 3] & 0xFFL) << 7)
                | ((b[i + 4] & 0xFEL) >> 1);
    }
}
