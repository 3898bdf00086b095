package io.openivs.server.ingest.srt;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A handshake control packet's body (draft-sharabayko-srt 3.2.1), with the extensions a live
 * caller sends in its conclusion: HSREQ/HSRSP (SRT version, flags, TSBPD delays), KMREQ/KMRSP
 * (key material) and SID (the stream id). Immutable; null for an absent extension.
 *
 * @param type 1 induction, -1 (0xFFFFFFFF) conclusion, or 1000 + reason for a rejection
 * @param peerIp the 16 bytes of the peer address field, as the sender wrote them
 * @param kmState in a KMRSP that carries no key material, the one-word key material state, else -1
 * @param response whether the extensions are the responder's (HSRSP/KMRSP) rather than the caller's
 */
public record Handshake(
        int version,
        int encryption,
        int extensionField,
        int initialSequence,
        int mtu,
        int flowWindow,
        int type,
        int socketId,
        int cookie,
        byte[] peerIp,
        SrtHs hs,
        KeyMaterial km,
        int kmState,
        String streamId,
        boolean response) {

    public static final int SIZE = 48;
    public static final int TYPE_INDUCTION = 1;
    public static final int TYPE_CONCLUSION = -1;
    public static final int TYPE_WAVEAHAND = 0;
    public static final int TYPE_AGREEMENT = -2;
    /** Extension field of a version 5 induction answer: says "SRT" to the caller. */
    public static final int SRT_MAGIC = 0x4A17;

    public static final int EXT_HSREQ = 1;
    public static final int EXT_HSRSP = 2;
    public static final int EXT_KMREQ = 3;
    public static final int EXT_KMRSP = 4;
    public static final int EXT_SID = 5;
    /** Extension-field flags announcing which extensions follow. */
    public static final int FLAG_HSREQ = 1;

    public static final int FLAG_KMREQ = 2;
    public static final int FLAG_CONFIG = 4;

    public static final int MAX_STREAM_ID = 512;

    /** The HSREQ/HSRSP extension. */
    public record SrtHs(int srtVersion, int flags, int receiverDelayMs, int senderDelayMs) {
        public static final int TSBPDSND = 0x01;
        public static final int TSBPDRCV = 0x02;
        public static final int CRYPT = 0x04;
        public static final int TLPKTDROP = 0x08;
        public static final int PERIODICNAK = 0x10;
        public static final int REXMITFLG = 0x20;
        public static final int STREAM = 0x40;
        public static final int PACKET_FILTER = 0x80;
    }

    public boolean isRejection() {
        return type >= 1000 && type < 3000;
    }

    /**
     * Reads the body after the 16-byte header.
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed handshake
     */
    public static Handshake parse(ByteBuf body) {
        int i = body.readerIndex();
        int end = body.writerIndex();
        if (end - i < SIZE) {
            throw new IllegalArgumentException("handshake of " + (end - i) + " bytes");
        }
        int version = body.getInt(i);
        int encryption = body.getUnsignedShort(i + 4);
        int extensionField = body.getUnsignedShort(i + 6);
        int isn = body.getInt(i + 8);
        int mtu = body.getInt(i + 12);
        int window = body.getInt(i + 16);
        int type = body.getInt(i + 20);
        int socketId = body.getInt(i + 24);
        int cookie = body.getInt(i + 28);
        byte[] ip = new byte[16];
        body.getBytes(i + 32, ip);
        SrtHs hs = null;
        KeyMaterial km = null;
        int kmState = -1;
        String sid = null;
        boolean response = false;
        int p = i + SIZE;
        if (version == 5 && type == TYPE_CONCLUSION) {
            while (end - p >= 4) {
                int extType = body.getUnsignedShort(p);
                int words = body.getUnsignedShort(p + 2);
                int content = p + 4;
                if (content + words * 4 > end) {
                    throw new IllegalArgumentException("handshake extension " + extType + " overruns the packet");
                }
                switch (extType) {
                    case EXT_HSREQ, EXT_HSRSP -> {
                        response = extType == EXT_HSRSP;
                        if (words < 3) {
                            throw new IllegalArgumentException("HSREQ of " + words + " words");
                        }
                        int delays = body.getInt(content + 8);
                        hs = new SrtHs(body.getInt(content), body.getInt(content + 4), delays >>> 16, delays & 0xFFFF);
                    }
                    case EXT_KMREQ, EXT_KMRSP -> {
                        response |= extType == EXT_KMRSP;
                        if (words == 1) {
                            kmState = body.getInt(content);
                        } else {
                            km = KeyMaterial.parse(body.slice(content, words * 4));
                        }
                    }
                    case EXT_SID -> sid = streamId(body, content, words * 4);
                    default -> {
                        // congestion control name, packet filter, group: not used by a live receiver
                    }
                }
                p = content + words * 4;
            }
        }
        return new Handshake(
                version,
                encryption,
                extensionField,
                isn,
                mtu,
                window,
                type,
                socketId,
                cookie,
                ip,
                hs,
                km,
                kmState,
                sid,
                response);
    }

    /** Writes the body (without the packet header). */
    public void write(ByteBuf out) {
        out.writeInt(version);
        out.writeShort(encryption);
        out.writeShort(extensionField);
        out.writeInt(initialSequence);
        out.writeInt(mtu);
        out.writeInt(flowWindow);
        out.writeInt(type);
        out.writeInt(socketId);
        out.writeInt(cookie);
        out.writeBytes(peerIp, 0, 16);
        if (hs != null) {
            out.writeShort(response ? EXT_HSRSP : EXT_HSREQ);
            out.writeShort(3);
            out.writeInt(hs.srtVersion());
            out.writeInt(hs.flags());
            out.writeInt((hs.receiverDelayMs() << 16) | (hs.senderDelayMs() & 0xFFFF));
        }
        if (km != null || kmState >= 0) {
            out.writeShort(response ? EXT_KMRSP : EXT_KMREQ);
            if (km != null) {
                out.writeShort(km.encodedLength() / 4);
                km.write(out);
            } else {
                out.writeShort(1);
                out.writeInt(kmState);
            }
        }
        if (streamId != null) {
            byte[] sid = streamId.getBytes(StandardCharsets.UTF_8);
            int words = (sid.length + 3) / 4;
            out.writeShort(EXT_SID);
            out.writeShort(words);
            // Each 32-bit word carries its four characters in reverse order, as libsrt writes them.
            for (int w = 0; w < words; w++) {
                for (int b = 3; b >= 0; b--) {
                    int k = w * 4 + b;
                    out.writeByte(k < sid.length ? sid[k] : 0);
                }
            }
        }
    }

    private static String streamId(ByteBuf body, int index, int length) {
        byte[] bytes = new byte[Math.min(length, MAX_STREAM_ID)];
        for (int w = 0; w + 4 <= bytes.length; w += 4) {
            for (int b = 0; b < 4; b++) {
                bytes[w + b] = body.getByte(index + w + 3 - b);
            }
        }
        int n = bytes.length;
        while (n > 0 && bytes[n - 1] == 0) {
            n--;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }
}
