package io.openivs.client.credentials;

import io.openivs.client.config.AwsEnvironment;
import java.util.Objects;

/**
 * The usual order of the AWS tools, minus the cloud-only sources (instance and container metadata, web
 * identity): the environment variables, then the profile's keys in the shared files.
 */
public final class DefaultCredentialsProvider implements CredentialsProvider {

    private final EnvironmentCredentialsProvider environment;
    private final ProfileCredentialsProvider profile;

    public DefaultCredentialsProvider(AwsEnvironment environment, String profileName) {
        Objects.requireNonNull(environment, "environment");
        this.environment = new EnvironmentCredentialsProvider(environment);
        this.profile = new ProfileCredentialsProvider(
                environment, profileName != null ? profileName : environment.profileName());
    }

    public static DefaultCredentialsProvider create() {
        return new DefaultCredentialsProvider(AwsEnvironment.system(), null);
    }

    @Override
    public AwsCredentials resolveCredentials() {
        if (environment.available()) {
            return environment.resolveCredentials();
        }
        try {
            return profile.resolveCredentials();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    "No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " + "or configure a profile. "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public String toString() {
        return "DefaultCredentialsProvider[environment, " + profile + "]";
    }
}
