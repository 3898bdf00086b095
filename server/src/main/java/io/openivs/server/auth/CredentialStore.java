package io.openivs.server.auth;

/** Looks up the secret of an access key. Implementations are in-memory maps; must be fast and thread-safe. */
public interface CredentialStore {

    /** @return the secret key (its UTF-8 bytes are what clients sign with) and account, or null if the key id is unknown */
    Credential find(String accessKeyId);

    record Credential(String accessKeyId, String secretKey, String accountId) {
        /** Redacts the secret: records print every component, and credentials end up in logs. */
        @Override
        public String toString() {
            return "Credential[accessKeyId=" + accessKeyId + ", secretKey=<redacted>, accountId=" + accountId + "]";
        }
    }
}
