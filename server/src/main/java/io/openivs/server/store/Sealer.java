package io.openivs.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.resource.Json;
import io.openivs.server.resource.SecretFields;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the secret members of documents on their way into the database and opens them on the way out, so the
 * rest of the server sees plain documents. A sealed member is {@code sealed:v1:} + base64(nonce || AES-256-GCM
 * ciphertext and tag), with the row's ARN and the member's path as associated data: a sealed value moved to
 * another row or member does not open. Keyed lookups (a stream key's digest) are stored as an HMAC under a
 * second key, so the index still finds a key by what an encoder sent, in one indexed read, while a copy of the
 * database cannot be searched for a guessed value. Both keys are derived from the {@link StoreKey}.
 *
 * <p>Values without the prefix are returned as they are: rows written before sealing existed, until the
 * one-time pass at start ({@link StoreSealing}) seals them.
 */
final class Sealer {
    static final String PREFIX = "sealed:v1:";
    private static final String LOOKUP_PREFIX = "hmac:";
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec aes;
    private final SecretKeySpec lookupKey;
    private final SecureRandom random = new SecureRandom();

    Sealer(StoreKey key) {
        byte[] master = key.bytes();
        aes = new SecretKeySpec(hmac(master, "openivs store: AES-256-GCM"), "AES");
        lookupKey = new SecretKeySpec(hmac(master, "openivs store: lookup HMAC"), "HmacSHA256");
    }

    private static byte[] hmac(byte[] key, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String seal(String plain, String context) {
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out =
                    ByteBuffer.allocate(NONCE + ct.length).put(nonce).put(ct).array();
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws StoreKeyMismatchException when the value was sealed under another key (or altered) */
    String open(String text, String context) {
        if (!text.startsWith(PREFIX)) {
            return text;
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(text.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new StoreKeyMismatchException("a sealed value in the database is not base64 (" + context + ")", e);
        }
        if (in.length < NONCE + TAG_BITS / 8) {
            throw new StoreKeyMismatchException("a sealed value in the database is truncated (" + context + ")", null);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, aes, new GCMParameterSpec(TAG_BITS, in, 0, NONCE));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(in, NONCE, in.length - NONCE), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new StoreKeyMismatchException(
                    "a sealed value in the database does not open with this store key (" + context + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stored form of a lookup: keyed for types whose lookup comes from a secret, else as given. */
    String lookup(String type, String lookup) {
        if (lookup == null || !SecretFields.keyedLookup(type) || lookup.startsWith(LOOKUP_PREFIX)) {
            return lookup;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(lookupKey);
            return LOOKUP_PREFIX + HexFormat.of().formatHex(mac.doFinal(lookup.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The row as the database keeps it: secrets sealed, keyed lookup. */
    StoredResource seal(StoredResource r) {
        String doc = transform(r, true);
        String lookup = lookup(r.type(), r.lookup());
        if (doc == r.doc() && lookup == r.lookup()) {
            return r;
        }
        return new StoredResource(
                r.arn(), r.account(), r.region(), r.type(), r.id(), r.created(), r.parent(), lookup, r.version(), doc);
    }

    /** The row as the server uses it: secrets in clear. */
    StoredResource open(StoredResource r) {
        if (!r.doc().contains(PREFIX)) {
            return r;
        }
        return r.withDoc(transform(r, false));
    }

    /** The document with its secret members sealed or opened; the same string when nothing changes. */
    private String transform(StoredResource r, boolean sealing) {
        List<List<String>> paths = SecretFields.of(r.type());
        if (paths.isEmpty() || (!sealing && !r.doc().contains(PREFIX))) {
            return r.doc();
        }
        ObjectNode doc = Json.parseObject(r.doc());
        boolean changed = false;
        for (List<String> path : paths) {
            ObjectNode holder = doc;
            for (int i = 0; holder != null && i < path.size() - 1; i++) {
                JsonNode next = holder.get(path.get(i));
                holder = next instanceof ObjectNode o ? o : null;
            }
            String member = path.get(path.size() - 1);
            JsonNode value = holder == null ? null : holder.get(member);
            if (value == null || !value.isTextual() || value.asText().isEmpty()) {
                continue;
            }
            String text = value.asText();
            String context = r.arn() + "#" + String.join("/", path);
            if (sealing && !text.startsWith(PREFIX)) {
                holder.put(member, seal(text, context));
                changed = true;
            } else if (!sealing && text.startsWith(PREFIX)) {
                holder.put(member, open(text, context));
                changed = true;
            }
        }
        return changed ? Json.write(doc) : r.doc();
    }
}
