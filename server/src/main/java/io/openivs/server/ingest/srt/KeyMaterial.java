package io.openivs.server.ingest.srt;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The key material message (draft-sharabayko-srt 3.2.2) a caller sends in its handshake's KMREQ
 * and in later key refreshes: the salt and the stream encrypting key(s), even and/or odd, wrapped
 * together with the key encrypting key (RFC 3394). Words are big-endian on the wire.
 *
 * @param keyFlags KK: 1 even key, 2 odd key, 3 both (wrapped even first)
 * @param cipher 2 for AES-CTR, the only one live mode uses
 * @param keyLength bytes of each SEK: 16, 24 or 32
 * @param salt 16 bytes
 * @param wrappedKeys the RFC 3394 output: 8 + keyLength * (number of keys) bytes
 */
public record KeyMaterial(int keyFlags, int cipher, int keyLength, byte[] salt, byte[] wrappedKeys) {

    public static final int CIPHER_AES_CTR = 2;
    private static final int SIGNATURE = 0x2029; // "HAI" in packed 5-bit letters
    private static final int VERSION_AND_TYPE = 0x12; // V = 1, PT = 2 (KM message)
    private static final int STREAM_ENCAPSULATION_SRT = 2;

    public int keyCount() {
        return keyFlags == 3 ? 2 : 1;
    }

    /** @throws IllegalArgumentException when the bytes are not a key material message this code can use */
    public static KeyMaterial parse(ByteBuf in) {
        int start = in.readerIndex();
        int length = in.readableBytes();
        if (length < 16) {
            throw new IllegalArgumentException("key material of " + length + " bytes");
        }
        if (in.getUnsignedByte(start) != VERSION_AND_TYPE || in.getUnsignedShort(start + 1) != SIGNATURE) {
            throw new IllegalArgumentException("not a key material message");
        }
        int keyFlags = in.getUnsignedByte(start + 3) & 3;
        int cipher = in.getUnsignedByte(start + 8);
        int saltLength = in.getUnsignedByte(start + 14) * 4;
        int keyLength = in.getUnsignedByte(start + 15) * 4;
        if (keyFlags == 0 || saltLength != 16 || (keyLength != 16 && keyLength != 24 && keyLength != 32)) {
            throw new IllegalArgumentException(
                    "key material with KK " + keyFlags + ", salt " + saltLength + ", key " + keyLength);
        }
        int wrapped = 8 + keyLength * (keyFlags == 3 ? 2 : 1);
        if (length < 16 + saltLength + wrapped) {
            throw new IllegalArgumentException("truncated key material");
        }
        byte[] salt = new byte[saltLength];
        in.getBytes(start + 16, salt);
        byte[] keys = new byte[wrapped];
        in.getBytes(start + 16 + saltLength, keys);
        return new KeyMaterial(keyFlags, cipher, keyLength, salt, keys);
    }

    public int encodedLength() {
        return 16 + salt.length + wrappedKeys.length;
    }

    public void write(ByteBuf out) {
        out.writeByte(VERSION_AND_TYPE);
        out.writeShort(SIGNATURE);
        out.writeByte(keyFlags);
        out.writeInt(0); // KEKI: the default key encrypting key
        out.writeByte(cipher);
        out.writeByte(0); // no authentication
        out.writeByte(STREAM_ENCAPSULATION_SRT);
        out.writeByte(0);
        out.writeShort(0);
        out.writeByte(salt.length / 4);
        out.writeByte(keyLength / 4);
        out.writeBytes(salt);
        out.writeBytes(wrappedKeys);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyMaterial k
                && k.keyFlags == keyFlags
                && k.cipher == cipher
                && k.keyLength == keyLength
                && Arrays.equals(k.salt, salt)
                && Arrays.equals(k.wrappedKeys, wrappedKeys);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(wrappedKeys);
    }

    @Override
    public String toString() {
        return "KeyMaterial(KK=" + keyFlags + ", " + keyLength * 8 + " bit)"; // never the keys
    }
}
