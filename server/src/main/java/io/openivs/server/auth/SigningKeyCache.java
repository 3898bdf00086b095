package io.openivs.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derived SigV4 signing keys, one per access key for its latest date: a key's next day replaces its entry.
 * Only keys the credential store knows get here, so the map grows with the number of real keys; the bound is a
 * backstop that simply starts over.
 */
final class SigningKeyCache {
    private final String region;
    private final String service;
    private final int maxEntries;
    private final ConcurrentHashMap<String, Entry> byAccessKey = new ConcurrentHashMap<>();

    SigningKeyCache(String region, String service, int maxEntries) {
        this.region = region;
        this.service = service;
        this.maxEntries = maxEntries;
    }

    /** @param hmac a thread-confined HmacSHA256, used when the key must be derived */
    SecretKeySpec signingKey(CredentialStore.Credential credential, String date, Mac hmac) {
        Entry entry = byAccessKey.get(credential.accessKeyId());
        // The secret is compared too, so a rotated secret takes effect at once.
        if (entry != null && entry.date.equals(date) && entry.secret.equals(credential.secretKey())) {
            return entry.key;
        }
        SecretKeySpec key = derive(credential.secretKey(), date, hmac);
        if (entry == null && byAccessKey.size() >= maxEntries) {
            byAccessKey.clear();
        }
        byAccessKey.put(credential.accessKeyId(), new Entry(date, credential.secretKey(), key));
        return key;
    }

    private SecretKeySpec derive(String secret, String date, Mac hmac) {
        byte[] k = hmac(hmac, ("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        k = hmac(hmac, k, region);
        k = hmac(hmac, k, service);
        k = hmac(hmac, k, "aws4_request");
        return new SecretKeySpec(k, "HmacSHA256");
    }

    private static byte[] hmac(Mac hmac, byte[] key, String data) {
        try {
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 refused a raw key", e);
        }
        return hmac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** Not a record: a record's toString would print the secret. */
    private static final class Entry {
        final String date;
        final String secret;
        final SecretKeySpec key;

        Entry(String date, String secret, SecretKeySpec key) {
            this.date = date;
            this.secret = secret;
            this.key = key;
        }
    }
}
