package io.openivs.server.store;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The 32-byte key that seals the store's secrets ({@link io.openivs.server.resource.SecretFields}). Every node on
 * one database needs the same key; {@code toString} never shows it.
 */
public final class StoreKey {
    public static final int BYTES = 32;
    private final byte[] bytes;

    private StoreKey(byte[] bytes) {
        this.bytes = bytes.clone();
    }

    /** @throws IllegalArgumentException unless exactly {@link #BYTES} bytes */
    public static StoreKey of(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a store key is " + BYTES + " bytes, not " + bytes.length);
        }
        return new StoreKey(bytes);
    }

    /** @throws IllegalArgumentException unless standard base64 of {@link #BYTES} bytes */
    public static StoreKey fromBase64(String text) {
        return of(Base64.getDecoder().decode(text.strip()));
    }

    public static StoreKey random() {
        byte[] b = new byte[BYTES];
        new SecureRandom().nextBytes(b);
        return new StoreKey(b);
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoreKey k && java.security.MessageDigest.isEqual(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "StoreKey[hidden]";
    }
}
