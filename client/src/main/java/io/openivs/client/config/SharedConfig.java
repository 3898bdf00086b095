package io.openivs.client.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One profile as the AWS tools see it: the config file's properties, overridden by the credentials file's
 * (that is where keys belong), plus the environment variables that take precedence over both.
 */
public final class SharedConfig {

    private final AwsEnvironment environment;
    private final String profileName;
    private final Map<String, String> profile;

    private SharedConfig(AwsEnvironment environment, String profileName, Map<String, String> profile) {
        this.environment = environment;
        this.profileName = profileName;
        this.profile = profile;
    }

    /** Reads the files the environment points at, for its profile (AWS_PROFILE or "default"). */
    public static SharedConfig load(AwsEnvironment environment) {
        return load(environment, environment.profileName());
    }

    /** Reads the files the environment points at, for the given profile. */
    public static SharedConfig load(AwsEnvironment environment, String profileName) {
        Map<String, String> merged = new LinkedHashMap<>(
                ProfileFile.read(environment.configFile(), true).profile(profileName));
        merged.putAll(ProfileFile.read(environment.credentialsFile(), false).profile(profileName));
        return new SharedConfig(environment, profileName, Map.copyOf(merged));
    }

    public String profileName() {
        return profileName;
    }

    /** A property of the profile (name in lower case), or null. */
    public String property(String name) {
        String v = profile.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** AWS_REGION, then AWS_DEFAULT_REGION, then the profile's {@code region}; null if none is set. */
    public String region() {
        String region = environment.get("AWS_REGION");
        if (region == null) {
            region = environment.get("AWS_DEFAULT_REGION");
        }
        return region != null ? region : property("region");
    }
}
