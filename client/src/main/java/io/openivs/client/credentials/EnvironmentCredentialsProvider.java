package io.openivs.client.credentials;

import io.openivs.client.config.AwsEnvironment;
import java.util.Objects;

/** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for temporary credentials, AWS_SESSION_TOKEN. */
public final class EnvironmentCredentialsProvider implements CredentialsProvider {

    private final AwsEnvironment environment;

    public EnvironmentCredentialsProvider(AwsEnvironment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    public static EnvironmentCredentialsProvider create() {
        return new EnvironmentCredentialsProvider(AwsEnvironment.system());
    }

    /** True when both keys are set. */
    public boolean available() {
        return environment.get("AWS_ACCESS_KEY_ID") != null && environment.get("AWS_SECRET_ACCESS_KEY") != null;
    }

    @Override
    public AwsCredentials resolveCredentials() {
        if (!available()) {
            throw new IllegalStateException("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set");
        }
        return new AwsCredentials(
                environment.get("AWS_ACCESS_KEY_ID"),
                environment.get("AWS_SECRET_ACCESS_KEY"),
                environment.get("AWS_SESSION_TOKEN"));
    }

    @Override
    public String toString() {
        return "EnvironmentCredentialsProvider";
    }
}
