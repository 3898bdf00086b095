package io.openivs.server.ingest.srt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The listener's half of the caller-listener handshake (draft-sharabayko-srt 4.3.1), without
 * state per caller until the caller proves its address: the induction answer carries a SYN cookie
 * (an HMAC of the caller's address and port and the minute), and only a conclusion echoing a
 * valid cookie gets further. Builds the answers: induction, conclusion acceptance with HSRSP and
 * KMRSP, rejection with a code. One owner thread (the server's event loop).
 */
final class ListenerHandshake {

    static final int SRT_VERSION = 0x010503; // 1.5.3
    static final int MIN_CALLER_VERSION = 0x010300; // 1.3.0: HSv5 and the stream id
    private static final int MAX_MTU = 1500;
    static final int FLOW_WINDOW = 8192;

    private final Mac mac;
    private final int receiverLatencyMs;

    ListenerHandshake(int receiverLatencyMs) {
        this.receiverLatencyMs = receiverLatencyMs;
        try {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    int cookie(InetSocketAddress peer, long minute) {
        mac.update(peer.getAddress().getAddress());
        mac.update(
                ByteBuffer.allocate(12).putInt(peer.getPort()).putLong(minute).flip());
        byte[] h = mac.doFinal();
        return ((h[0] & 0xFF) << 24) | ((h[1] & 0xFF) << 16) | ((h[2] & 0xFF) << 8) | (h[3] & 0xFF);
    }

    /** A cookie from this minute or the last one. */
    boolean cookieValid(int cookie, InetSocketAddress peer, long nowMillis) {
        long minute = nowMillis / 60_000;
        return cookie == cookie(peer, minute) || cookie == cookie(peer, minute - 1);
    }

    /** The answer to an induction request: version 5, the SRT magic, our socket id and a cookie. */
    ByteBuf inductionResponse(
            ByteBufAllocator alloc,
            Handshake req,
            InetSocketAddress peer,
            int socketId,
            long nowMillis,
            int timestampUs) {
        Handshake rsp = new Handshake(
                5,
                0,
                Handshake.SRT_MAGIC,
                req.initialSequence(),
                Math.min(req.mtu(), MAX_MTU),
                Math.min(req.flowWindow(), FLOW_WINDOW),
                Handshake.TYPE_INDUCTION,
                socketId,
                cookie(peer, nowMillis / 60_000),
                peerIp(peer),
                null,
                null,
                -1,
                null,
                true);
        return packet(alloc, rsp, timestampUs, req.socketId());
    }

    /**
     * Checks a conclusion request's form.
     *
     * @return 0 when it is a live-mode HSv5 request a receiver can serve, else a rejection code
     */
    static int check(Handshake req) {
        if (req.version() != 5 || req.hs() == null) {
            return SrtReject.VERSION;
        }
        if (req.hs().srtVersion() < MIN_CALLER_VERSION) {
            return SrtReject.VERSION;
        }
        if ((req.hs().flags() & Handshake.SrtHs.STREAM) != 0) {
            return SrtReject.MESSAGE_API; // file/stream mode: not a live publisher
        }
        if ((req.hs().flags() & Handshake.SrtHs.TSBPDSND) == 0) {
            return SrtReject.MESSAGE_API;
        }
        if (req.streamId() == null || req.streamId().isEmpty()) {
            return SrtReject.BAD_REQUEST;
        }
        return 0;
    }

    /** The latency both sides use for our receiving: the larger of ours and the caller's. */
    int latencyMs(Handshake req) {
        return Math.max(receiverLatencyMs, req.hs().senderDelayMs());
    }

    /** The acceptance: HSRSP with our flags and the latency, and the caller's key material echoed as KMRSP. */
    ByteBuf acceptResponse(
            ByteBufAllocator alloc,
            Handshake req,
            InetSocketAddress peer,
            int socketId,
            int latencyMs,
            int timestampUs) {
        int flags = Handshake.SrtHs.TSBPDRCV
                | Handshake.SrtHs.TLPKTDROP
                | Handshake.SrtHs.PERIODICNAK
                | Handshake.SrtHs.REXMITFLG
                | (req.hs().flags() & Handshake.SrtHs.TSBPDSND)
                | (req.km() != null ? Handshake.SrtHs.CRYPT : 0);
        Handshake.SrtHs hs = new Handshake.SrtHs(SRT_VERSION, flags, latencyMs, latencyMs);
        int extensionFlags = Handshake.FLAG_HSREQ | (req.km() != null ? Handshake.FLAG_KMREQ : 0);
        Handshake rsp = new Handshake(
                5,
                0,
                extensionFlags,
                req.initialSequence(),
                Math.min(req.mtu(), MAX_MTU),
                Math.min(req.flowWindow(), FLOW_WINDOW),
                Handshake.TYPE_CONCLUSION,
                socketId,
                req.cookie(),
                peerIp(peer),
                hs,
                req.km(),
                -1,
                null,
                true);
        return packet(alloc, rsp, timestampUs, req.socketId());
    }

    /** A rejection: the handshake type is the reason code. */
    ByteBuf rejectResponse(ByteBufAllocator alloc, Handshake req, InetSocketAddress peer, int code, int timestampUs) {
        Handshake rsp = new Handshake(
                5,
                0,
                0,
                req.initialSequence(),
                Math.min(req.mtu(), MAX_MTU),
                Math.min(req.flowWindow(), FLOW_WINDOW),
                code,
                0,
                req.cookie(),
                peerIp(peer),
                null,
                null,
                -1,
                null,
                true);
        return packet(alloc, rsp, timestampUs, req.socketId());
    }

    private static ByteBuf packet(ByteBufAllocator alloc, Handshake hs, int timestampUs, int destination) {
        ByteBuf out = alloc.buffer(SrtPacket.HEADER_SIZE + 128);
        SrtPacket.writeControlHeader(out, SrtPacket.CTRL_HANDSHAKE, 0, 0, timestampUs, destination);
        hs.write(out);
        return out;
    }

    /**
     * The peer address field as libsrt writes it: an IPv4 address in the first 32-bit word with
     * its bytes reversed (libsrt stores the in_addr as a host-order word, then swaps each word).
     */
    static byte[] peerIp(InetSocketAddress peer) {
        byte[] a = peer.getAddress().getAddress();
        byte[] out = new byte[16];
        if (a.length == 4) {
            for (int i = 0; i < 4; i++) {
                out[i] = a[3 - i];
            }
        } else {
            for (int w = 0; w < 4; w++) {
                for (int i = 0; i < 4; i++) {
                    out[w * 4 + i] = a[w * 4 + 3 - i];
                }
            }
        }
        return out;
    }
}
