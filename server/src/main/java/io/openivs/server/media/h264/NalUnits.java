package io.openivs.server.media.h264;

/** Helpers over the NAL unit byte syntax. */
public final class NalUnits {

    private NalUnits() {}

    /** Removes emulation prevention bytes (the 3 in 00 00 03), giving the RBSP. */
    public static byte[] unescape(byte[] src, int offset, int length) {
        byte[] out = new byte[length];
        int n = 0;
        int zeros = 0;
        for (int i = offset; i < offset + length; i++) {
            int b = src[i] & 0xFF;
            if (zeros >= 2 && b == 3) {
                zeros = 0;
                continue;
            }
            out[n++] = (byte) b;
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return n == length ? out : java.util.Arrays.copyOf(out, n);
    }
}
