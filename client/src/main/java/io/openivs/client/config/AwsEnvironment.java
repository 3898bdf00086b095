package io.openivs.client.config;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Objects;

/**
 * The places AWS tools read their settings from: environment variables and the home directory holding
 * {@code .aws/credentials} and {@code .aws/config}. Tests pass their own instead of the process's.
 *
 * @param home the user's home directory; null if unknown (then only explicitly named files are read)
 */
public record AwsEnvironment(Map<String, String> variables, Path home) {

    public AwsEnvironment {
        variables = Map.copyOf(Objects.requireNonNull(variables, "variables"));
    }

    /** The process environment and {@code user.home}. */
    public static AwsEnvironment system() {
        String home = System.getProperty("user.home");
        return new AwsEnvironment(System.getenv(), home == null || home.isEmpty() ? null : Paths.get(home));
    }

    /** The variable's value, or null when unset or blank (AWS tools treat both alike). */
    public String get(String name) {
        String v = variables.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** AWS_PROFILE, or "default". */
    public String profileName() {
        String p = get("AWS_PROFILE");
        return p != null ? p : "default";
    }

    /** AWS_SHARED_CREDENTIALS_FILE, or ~/.aws/credentials; null if neither is known. */
    public Path credentialsFile() {
        return file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    }

    /** AWS_CONFIG_FILE, or ~/.aws/config; null if neither is known. */
    public Path configFile() {
        return file("AWS_CONFIG_FILE", "config");
    }

    private Path file(String variable, String name) {
        String explicit = get(variable);
        if (explicit != null) {
            // "~/" is expanded by AWS tools themselves, not only by shells.
            if (explicit.startsWith("~/") && home != null) {
                return home.resolve(explicit.substring(2));
            }
            return Paths.get(explicit);
        }
        return home == null ? null : home.resolve(".aws").resolve(name);
    }
}
