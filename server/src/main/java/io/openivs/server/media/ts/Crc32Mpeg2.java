package io.openivs.server.media.ts;

import io.netty.buffer.ByteBuf;

/** CRC-32/MPEG-2 (polynomial 0x04C11DB7, initial all ones, not reflected, no final xor) that ends each PSI section. */
public final class Crc32Mpeg2 {

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 24;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000_0000) != 0 ? (crc << 1) ^ 0x04C1_1DB7 : crc << 1;
            }
            TABLE[i] = crc;
        }
    }

    private Crc32Mpeg2() {}

    public static int compute(ByteBuf buf, int index, int length) {
        int crc = 0xFFFF_FFFF;
        for (int i = index; i < index + length; i++) {
            crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ buf.getByte(i)) & 0xFF];
        }
        return crc;
    }

    public static int compute(byte[] bytes) {
        return compute(bytes, bytes.length);
    }

    /** The CRC of the first {@code length} bytes. */
    public static int compute(byte[] bytes, int length) {
        int crc = 0xFFFF_FFFF;
        for (int i = 0; i < length; i++) {
            crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ bytes[i]) & 0xFF];
        }
        return crc;
    }
}
