package io.openivs.server.ingest.srt;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SRT payload encryption (draft-sharabayko-srt section 6): the key encrypting key is PBKDF2
 * (HMAC-SHA1, 2048 iterations) of the passphrase over the last 8 bytes of the salt; it unwraps
 * the stream encrypting keys (AES key wrap, RFC 3394); payloads are AES-CTR with an IV of the
 * salt's first 112 bits XOR the packet sequence number placed at bytes 10..13.
 *
 * <p>CTR is computed here with one AES/ECB cipher per key, made once, over a reused counter
 * block array: no cipher set-up or allocation per packet. Owned by one connection's thread.
 */
public final class SrtCrypto {

    private static final int PBKDF2_ITERATIONS = 2048;
    private static final int PBKDF2_SALT = 8;
    private static final int MAX_PAYLOAD = 1500;

    private final int keyLength;
    private final Cipher[] keys = new Cipher[3]; // by KK: 1 even, 2 odd
    private final byte[][] salts = new byte[3][];
    private byte[] kekSalt;
    private byte[] kek;
    private final byte[] counters = new byte[MAX_PAYLOAD + 16];
    private final byte[] stream = new byte[MAX_PAYLOAD + 16];

    private SrtCrypto(int keyLength) {
        this.keyLength = keyLength;
    }

    /** The secret did not unwrap the keys: a wrong passphrase. */
    public static final class BadSecretException extends Exception {
        BadSecretException() {
            super("the passphrase does not unwrap the stream keys");
        }
    }

    /** Unwraps the keys of {@code km} with {@code passphrase}. */
    public static SrtCrypto unwrap(KeyMaterial km, String passphrase) throws BadSecretException {
        if (km.cipher() != KeyMaterial.CIPHER_AES_CTR) {
            throw new IllegalArgumentException("cipher " + km.cipher());
        }
        SrtCrypto crypto = new SrtCrypto(km.keyLength());
        crypto.install(km, passphrase);
        return crypto;
    }

    /**
     * Takes the keys of a refreshed key material message (same passphrase). The key derivation is
     * repeated only when the salt changed.
     */
    public void install(KeyMaterial km, String passphrase) throws BadSecretException {
        if (km.keyLength() != keyLength) {
            throw new IllegalArgumentException("key refresh changed the key length");
        }
        if (!Arrays.equals(km.salt(), kekSalt)) {
            kek = kek(passphrase, km.salt(), km.keyLength());
            kekSalt = km.salt().clone();
        }
        byte[] sek;
        try {
            Cipher unwrap = Cipher.getInstance("AESWrap");
            unwrap.init(Cipher.UNWRAP_MODE, new SecretKeySpec(kek, "AES"));
            Key key = unwrap.unwrap(km.wrappedKeys(), "AES", Cipher.SECRET_KEY);
            sek = key.getEncoded();
        } catch (java.security.InvalidKeyException e) {
            throw new BadSecretException();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        try {
            if (km.keyFlags() == 3) {
                keys[1] = ecb(Arrays.copyOfRange(sek, 0, keyLength));
                keys[2] = ecb(Arrays.copyOfRange(sek, keyLength, 2 * keyLength));
                salts[1] = kekSalt;
                salts[2] = kekSalt;
            } else {
                keys[km.keyFlags()] = ecb(sek);
                salts[km.keyFlags()] = kekSalt;
            }
        } finally {
            Arrays.fill(sek, (byte) 0);
        }
    }

    /** Wraps keys under a passphrase: what a caller does. For tests that play one. */
    public static KeyMaterial wrap(String passphrase, byte[] salt, int keyFlags, byte[] seks) {
        try {
            int keyLength = keyFlags == 3 ? seks.length / 2 : seks.length;
            Cipher wrap = Cipher.getInstance("AESWrap");
            wrap.init(Cipher.WRAP_MODE, new SecretKeySpec(kek(passphrase, salt, keyLength), "AES"));
            byte[] wrapped = wrap.wrap(new SecretKeySpec(seks, "AES"));
            return new KeyMaterial(keyFlags, KeyMaterial.CIPHER_AES_CTR, keyLength, salt.clone(), wrapped);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public int keyLength() {
        return keyLength;
    }

    /**
     * Decrypts (or encrypts: CTR is its own inverse) {@code length} bytes at {@code index} in place.
     *
     * @return false when no key is installed for {@code keyFlags}
     */
    public boolean apply(ByteBuf buf, int index, int length, int sequence, int keyFlags) {
        Cipher cipher = keyFlags == 1 || keyFlags == 2 ? keys[keyFlags] : null;
        if (cipher == null || length > MAX_PAYLOAD) {
            return false;
        }
        byte[] salt = salts[keyFlags];
        int blocks = (length + 15) >>> 4;
        for (int b = 0; b < blocks; b++) {
            int o = b << 4;
            System.arraycopy(salt, 0, counters, o, 14);
            counters[o + 10] ^= (byte) (sequence >>> 24);
            counters[o + 11] ^= (byte) (sequence >>> 16);
            counters[o + 12] ^= (byte) (sequence >>> 8);
            counters[o + 13] ^= (byte) sequence;
            counters[o + 14] = (byte) (b >>> 8);
            counters[o + 15] = (byte) b;
        }
        try {
            cipher.doFinal(counters, 0, blocks << 4, stream, 0);
        } catch (ShortBufferException | javax.crypto.IllegalBlockSizeException | javax.crypto.BadPaddingException e) {
            throw new IllegalStateException(e);
        }
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            buf.setLong(index + i, buf.getLong(index + i) ^ longAt(stream, i));
        }
        for (; i < length; i++) {
            buf.setByte(index + i, buf.getByte(index + i) ^ stream[i]);
        }
        return true;
    }

    private static long longAt(byte[] b, int i) {
        return ((long) b[i] << 56)
                | ((long) (b[i + 1] & 0xFF) << 48)
                | ((long) (b[i + 2] & 0xFF) << 40)
                | ((long) (b[i + 3] & 0xFF) << 32)
                | ((long) (b[i + 4] & 0xFF) << 24)
                | ((b[i + 5] & 0xFF) << 16)
                | ((b[i + 6] & 0xFF) << 8)
                | (b[i + 7] & 0xFF);
    }

    private static Cipher ecb(byte[] key) {
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] kek(String passphrase, byte[] salt, int keyLength) {
        char[] chars = passphrase.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(
                chars,
                Arrays.copyOfRange(salt, salt.length - PBKDF2_SALT, salt.length),
                PBKDF2_ITERATIONS,
                keyLength * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA1")
                    .generateSecret(spec)
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }
}
