package io.openivs.server.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.api.OperationHandler;
import io.openivs.server.resource.Fields;
import io.openivs.server.resource.Json;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;

/** ImportPlaybackKeyPair, Get/List/DeletePlaybackKeyPair. */
final class PlaybackKeyPairs {
    /** The order of NIST P-384 (secp384r1): identifies the curve whatever the provider calls it. */
    private static final BigInteger P384_ORDER = new BigInteger(
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973", 16);

    /** Stored member holding the public key as base64 DER SubjectPublicKeyInfo. */
    private static final String MATERIAL = Fields.PUBLIC_KEY_DER;

    private final Catalog catalog;

    PlaybackKeyPairs(Catalog catalog) {
        this.catalog = catalog;
    }

    void register(Map<String, OperationHandler> ops) {
        Kind k = Kind.PLAYBACK_KEY;
        ops.put("ImportPlaybackKeyPair", this::importKey);
        ops.put("GetPlaybackKeyPair", catalog.getter(k, doc -> {
            doc.remove(MATERIAL);
            return doc;
        }));
        ops.put("ListPlaybackKeyPairs", catalog.lister(k));
        // DeletePlaybackKeyPair answers 200 {} (not 204); the generic deleter returns null, which the
        // pipeline writes as {} for a 200 operation.
        ops.put("DeletePlaybackKeyPair", catalog.deleter(k));
    }

    private ObjectNode importKey(Call call, ObjectNode in) {
        PublicKey key = parseP384(in.get("publicKeyMaterial").asText());
        String fingerprint = fingerprint(key);
        ObjectNode doc = Json.object();
        doc.put("name", ControlContext.text(in, "name", ""));
        doc.put("fingerprint", fingerprint);
        doc.set("tags", in.get("tags"));
        // Kept for playback token verification (playback.access); never returned by the API.
        doc.put(MATERIAL, Base64.getEncoder().encodeToString(key.getEncoded()));
        String lookup = call.account() + ":" + call.region() + ":" + fingerprint;
        return hideMaterial(catalog.create(
                call,
                Kind.PLAYBACK_KEY,
                doc,
                lookup,
                e -> ApiException.conflict("A playback key pair with this public key is already imported.")));
    }

    private static ObjectNode hideMaterial(ObjectNode out) {
        if (out.get("keyPair") instanceof ObjectNode kp) {
            kp.remove(MATERIAL);
        }
        return out;
    }

    /** A PEM "PUBLIC KEY" (SubjectPublicKeyInfo) of an EC P-384 key; anything else is a ValidationException. */
    static PublicKey parseP384(String pem) {
        String body = pem.replace("\r", "").strip();
        String begin = "-----BEGIN PUBLIC KEY-----";
        String end = "-----END PUBLIC KEY-----";
        // Exactly one block: a second one inside would be skipped by the lenient MIME decoder as noise.
        if (!body.startsWith(begin)
                || !body.endsWith(end)
                || body.indexOf("-----", begin.length()) != body.length() - end.length()) {
            throw invalidKey();
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(body.substring(begin.length(), body.length() - end.length()));
        } catch (IllegalArgumentException e) {
            throw invalidKey();
        }
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            // Trailing bytes after the DER structure are not part of any key.
            if (key instanceof ECPublicKey ec
                    && ec.getParams().getOrder().equals(P384_ORDER)
                    && java.util.Arrays.equals(key.getEncoded(), der)) {
                return key;
            }
        } catch (Exception e) {
            throw invalidKey();
        }
        throw invalidKey();
    }

    private static ApiException invalidKey() {
        return ApiException.validation(
                "publicKeyMaterial must be a PEM-encoded ECDSA P-384 public key" + " (-----BEGIN PUBLIC KEY-----).");
    }

    /**
     * MD5 of the canonical DER SubjectPublicKeyInfo, as colon-separated lower-case hex: the fingerprint real IVS
     * returns (the Terraform AWS provider's acceptance test checks this computation against IVS; the API
     * Reference calls it only a key-pair identifier).
     */
    static String fingerprint(PublicKey key) {
        try {
            byte[] md5 = MessageDigest.getInstance("MD5").digest(key.getEncoded());
            StringBuilder sb = new StringBuilder(47);
            for (byte b : md5) {
                if (sb.length() > 0) {
                    sb.append(':');
                }
                sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return sb.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
