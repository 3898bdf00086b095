package io.openivs.client.credentials;

import io.openivs.client.config.AwsEnvironment;
import io.openivs.client.config.SharedConfig;
import java.util.Objects;

/**
 * Static keys of a named profile in the shared credentials and config files ({@code aws_access_key_id},
 * {@code aws_secret_access_key}, {@code aws_session_token}). The files are read on first use and kept.
 * Profiles that obtain credentials otherwise (role_arn, sso_*, credential_process) are not supported.
 */
public final class ProfileCredentialsProvider implements CredentialsProvider {

    private final AwsEnvironment environment;
    private final String profileName;
    private volatile AwsCredentials credentials;

    public ProfileCredentialsProvider(AwsEnvironment environment, String profileName) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.profileName = Objects.requireNonNull(profileName, "profileName");
    }

    /** The profile named by AWS_PROFILE (or "default") of the process environment. */
    public static ProfileCredentialsProvider create() {
        AwsEnvironment env = AwsEnvironment.system();
        return new ProfileCredentialsProvider(env, env.profileName());
    }

    @Override
    public AwsCredentials resolveCredentials() {
        AwsCredentials c = credentials;
        if (c == null) {
            c = load();
            credentials = c;
        }
        return c;
    }

    private AwsCredentials load() {
        SharedConfig profile = SharedConfig.load(environment, profileName);
        String key = profile.property("aws_access_key_id");
        String secret = profile.property("aws_secret_access_key");
        if (key == null || secret == null) {
            String other = profile.property("role_arn") != null
                    ? " (role_arn is not supported)"
                    : profile.property("credential_process") != null
                            ? " (credential_process is not supported)"
                            : profile.property("sso_session") != null || profile.property("sso_start_url") != null
                                    ? " (SSO is not supported)"
                                    : "";
            throw new IllegalStateException("Profile '" + profileName + "' has no aws_access_key_id and "
                    + "aws_secret_access_key in " + environment.credentialsFile() + " or "
                    + environment.configFile() + other);
        }
        return new AwsCredentials(key, secret, profile.property("aws_session_token"));
    }

    @Override
    public String toString() {
        return "ProfileCredentialsProvider[" + profileName + "]";
    }
}
