package io.openivs.server.resource;

import java.security.SecureRandom;

/**
 * Identifiers and secrets in the shapes IVS uses: 12-character resource ids (the API Reference's ARN
 * patterns, and real ARNs), stream key values as real CreateChannel answers show them, 26-character
 * stream ids (API Reference: StreamSession; how IVS generates them is unconfirmed).
 */
public final class Ids {
    private static final char[] ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    /** {@code n} random characters from [A-Za-z0-9]. */
    public static String alnum(int n) {
        char[] out = new char[n];
        // One call to the (synchronised) generator for many characters; 6 random bits each, and the 2 values
        // past the alphabet are drawn again, so every character stays uniform.
        byte[] bits = new byte[n + n / 8 + 4];
        int used = bits.length;
        for (int i = 0; i < n; ) {
            if (used == bits.length) {
                RANDOM.nextBytes(bits);
                used = 0;
            }
            int v = bits[used++] & 0x3F;
            if (v < ALNUM.length) {
                out[i++] = ALNUM[v];
            }
        }
        return new String(out);
    }

    /** A 12-character resource id. */
    public static String resourceId() {
        return alnum(12);
    }

    /** {@code sk_<region>_<streamKeyId>_<30 random alphanumerics>}, the stream key value IVS issues. */
    public static String streamKeyValue(String region, String streamKeyId) {
        return "sk_" + region + "_" + streamKeyId + "_" + alnum(30);
    }

    /**
     * {@code st-} plus 23 base62 characters, 26 in all. The first 8 encode the
     * start time in milliseconds, so ids sort roughly by time like the real
     * ones (which all start with '1'); the rest are random.
     */
    public static String streamId(long epochMillis) {
        char[] out = new char[23];
        long t = epochMillis;
        for (int i = 7; i >= 0; i--) {
            out[i] = BASE62[(int) (t % 62)];
            t /= 62;
        }
        for (int i = 8; i < 23; i++) {
            out[i] = BASE62[RANDOM.nextInt(62)];
        }
        return "st-" + new String(out);
    }
}
