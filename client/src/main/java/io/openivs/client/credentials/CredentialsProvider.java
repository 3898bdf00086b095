package io.openivs.client.credentials;

/**
 * Where a client gets its credentials, asked before each request is signed (so rotated credentials are
 * picked up when the provider re-reads them).
 */
@FunctionalInterface
public interface CredentialsProvider {

    /** @throws IllegalStateException if this provider has no credentials to give */
    AwsCredentials resolveCredentials();

    /** Always the given credentials. */
    static CredentialsProvider of(AwsCredentials credentials) {
        java.util.Objects.requireNonNull(credentials, "credentials");
        return () -> credentials;
    }
}
