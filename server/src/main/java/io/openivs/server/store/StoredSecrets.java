package io.openivs.server.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.resource.Json;
import io.openivs.server.resource.SecretFields;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Secrets every node of a cluster shares through the store (the playback ticket key, the cluster
 * secret): a setting resource holding 32 random bytes, made by the first node that needs it, its
 * {@code secret} member sealed by the store like every {@link SecretFields} member.
 */
public final class StoredSecrets {
    /** The resource type of settings: no account, no region, never listed by the API. */
    public static final String SETTING_TYPE = SecretFields.SETTING;

    private StoredSecrets() {}

    /**
     * The secret kept as setting {@code id} (base64), made now when there is none; when two nodes make it at
     * once, the one stored first wins and both return it. Blocks on the store.
     */
    public static String readOrCreate(ResourceStore store, String id, long nowMillis) {
        String arn = "arn:openivs:setting:" + id;
        for (int attempt = 0; attempt < 3; attempt++) {
            String stored = store.read(tx -> tx.get(arn)
                    .map(r -> Json.parseObject(r.doc()).path("secret").asText(""))
                    .orElse(""));
            if (!stored.isEmpty()) {
                return stored;
            }
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            String secret = Base64.getEncoder().encodeToString(bytes);
            ObjectNode doc = Json.object();
            doc.put("secret", secret);
            StoredResource r =
                    new StoredResource(arn, "", "", SETTING_TYPE, id, nowMillis * 1000, null, id, 1, Json.write(doc));
            try {
                store.write(tx -> {
                    tx.insert(r);
                    return null;
                });
                return secret;
            } catch (DuplicateKeyException e) {
                // another node made it first: read theirs
            }
        }
        throw new IllegalStateException("the shared secret " + id + " could not be read or created");
    }
}
