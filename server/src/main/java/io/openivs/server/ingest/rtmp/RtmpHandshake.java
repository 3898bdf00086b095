package io.openivs.server.ingest.rtmp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server side of the RTMP handshake as pure functions over the 1536-byte C1/S1/S2 packets.
 *
 * <p>Two flavours exist. The plain one (RTMP 1.0 specification, section 5.2) just echoes C1 as S2. The digest
 * one, used by Flash Player 9+ style clients (ffmpeg, some OBS builds), hides an HMAC-SHA256 digest in C1 at a
 * position derived from four bytes of the packet, in one of two layouts; a server that recognises it answers
 * with an S1 digested the same way with the server key, and an S2 whose last 32 bytes prove it saw the client's
 * digest. Clients that check S1/S2 (Flash, players) refuse a server that answers plainly, so we mirror whichever
 * layout the client used.
 */
final class RtmpHandshake {
    static final int VERSION = 3;
    static final int PACKET_SIZE = 1536;
    static final int DIGEST_LENGTH = 32;

    private static final byte[] KEY_TAIL = {
        (byte) 0xF0, (byte) 0xEE, (byte) 0xC2, (byte) 0x4A, (byte) 0x80, (byte) 0x68, (byte) 0xBE, (byte) 0xE8,
        (byte) 0x2E, (byte) 0x00, (byte) 0xD0, (byte) 0xD1, (byte) 0x02, (byte) 0x9E, (byte) 0x7E, (byte) 0x57,
        (byte) 0x6E, (byte) 0xEC, (byte) 0x5D, (byte) 0x2D, (byte) 0x29, (byte) 0x80, (byte) 0x6F, (byte) 0xAB,
        (byte) 0x93, (byte) 0xB8, (byte) 0xE6, (byte) 0x36, (byte) 0xCF, (byte) 0xEB, (byte) 0x31, (byte) 0xAE
    };
    /** "Genuine Adobe Flash Media Server 001" + tail; the text alone signs S1, the whole key derives the S2 key. */
    static final byte[] SERVER_KEY = concat("Genuine Adobe Flash Media Server 001", KEY_TAIL);

    static final int SERVER_KEY_TEXT_LENGTH = 36;
    /** "Genuine Adobe Flash Player 001" + tail; the text alone signs C1, the whole key derives the C2 key. */
    static final byte[] CLIENT_KEY = concat("Genuine Adobe Flash Player 001", KEY_TAIL);

    static final int CLIENT_KEY_TEXT_LENGTH = 30;

    /** S1 version field we announce when answering a digest client (an FMS-style server version). */
    private static final byte[] SERVER_VERSION = {4, 5, 0, 1};

    /**
     * Where the digest sits. The four bytes at {@code base} pick an offset in the 728 bytes after them; the
     * layouts differ only in their base (the "digest first" and "key first" schemes).
     */
    enum DigestLayout {
        BASE_8(8),
        BASE_772(772);

        private final int base;

        DigestLayout(int base) {
            this.base = base;
        }

        int digestOffset(byte[] packet) {
            int sum = (packet[base] & 0xFF)
                    + (packet[base + 1] & 0xFF)
                    + (packet[base + 2] & 0xFF)
                    + (packet[base + 3] & 0xFF);
            return sum % 728 + base + 4;
        }
    }

    private RtmpHandshake() {}

    /** The layout whose digest verifies against the client key, or null for a plain (or unrecognised) C1. */
    static DigestLayout findClientDigest(byte[] c1) {
        checkPacket(c1);
        for (DigestLayout layout : DigestLayout.values()) {
            int offset = layout.digestOffset(c1);
            byte[] expected = packetDigest(c1, offset, CLIENT_KEY, CLIENT_KEY_TEXT_LENGTH);
            if (MessageDigest.isEqual(expected, Arrays.copyOfRange(c1, offset, offset + DIGEST_LENGTH))) {
                return layout;
            }
        }
        return null;
    }

    /** S1 followed by S2 (3072 bytes) answering the given C1, whose digest layout {@link #findClientDigest} found. */
    static byte[] serverResponse(byte[] c1, DigestLayout layout, Random random) {
        checkPacket(c1);
        byte[] out = new byte[2 * PACKET_SIZE];
        if (layout == null) {
            // S1: time 0, zero field, random. S2: the client's C1 echoed, which is what the specification asks.
            byte[] s1 = randomPacket(random);
            Arrays.fill(s1, 0, 8, (byte) 0);
            System.arraycopy(s1, 0, out, 0, PACKET_SIZE);
            System.arraycopy(c1, 0, out, PACKET_SIZE, PACKET_SIZE);
            return out;
        }
        byte[] s1 = randomPacket(random);
        Arrays.fill(s1, 0, 4, (byte) 0);
        System.arraycopy(SERVER_VERSION, 0, s1, 4, 4);
        int s1Offset = layout.digestOffset(s1);
        byte[] s1Digest = packetDigest(s1, s1Offset, SERVER_KEY, SERVER_KEY_TEXT_LENGTH);
        System.arraycopy(s1Digest, 0, s1, s1Offset, DIGEST_LENGTH);

        int c1Offset = layout.digestOffset(c1);
        byte[] s2 = randomPacket(random);
        byte[] s2Key = hmac(SERVER_KEY, SERVER_KEY.length, c1, c1Offset, DIGEST_LENGTH);
        byte[] s2Digest = hmac(s2Key, s2Key.length, s2, 0, PACKET_SIZE - DIGEST_LENGTH);
        System.arraycopy(s2Digest, 0, s2, PACKET_SIZE - DIGEST_LENGTH, DIGEST_LENGTH);

        System.arraycopy(s1, 0, out, 0, PACKET_SIZE);
        System.arraycopy(s2, 0, out, PACKET_SIZE, PACKET_SIZE);
        return out;
    }

    /** HMAC-SHA256 of a packet with its 32 digest bytes at {@code offset} left out, keyed by the key's first bytes. */
    static byte[] packetDigest(byte[] packet, int offset, byte[] key, int keyLength) {
        Mac mac = mac(key, keyLength);
        mac.update(packet, 0, offset);
        mac.update(packet, offset + DIGEST_LENGTH, packet.length - offset - DIGEST_LENGTH);
        return mac.doFinal();
    }

    static byte[] hmac(byte[] key, int keyLength, byte[] data, int offset, int length) {
        Mac mac = mac(key, keyLength);
        mac.update(data, offset, length);
        return mac.doFinal();
    }

    private static Mac mac(byte[] key, int keyLength) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, 0, keyLength, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }

    private static byte[] randomPacket(Random random) {
        byte[] p = new byte[PACKET_SIZE];
        random.nextBytes(p);
        return p;
    }

    private static void checkPacket(byte[] packet) {
        if (packet.length != PACKET_SIZE) {
            throw new IllegalArgumentException("handshake packet must be " + PACKET_SIZE + " bytes");
        }
    }

    private static byte[] concat(String text, byte[] tail) {
        byte[] head = text.getBytes(StandardCharsets.US_ASCII);
        byte[] key = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, key, head.length, tail.length);
        return key;
    }
}
