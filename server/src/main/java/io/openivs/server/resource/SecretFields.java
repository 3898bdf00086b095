package io.openivs.server.resource;

import java.util.List;

/**
 * Which members of stored documents are secrets, sealed by the store so that a copy of the database does not
 * reveal them: a stream key's value (whoever holds it publishes as the channel), a channel's SRT passphrase and
 * the cluster's playback ticket secret. The API still returns the first two (IVS's GetStreamKey and GetChannel
 * do), so they are encrypted, not hashed. Stream keys are also found by value at ingest, so their lookup column
 * is keyed too.
 */
public final class SecretFields {
    /** Stored type of cluster-wide settings (not IVS resources); a setting's {@code secret} member is sealed. */
    public static final String SETTING = "openivs-setting";

    private static final List<List<String>> STREAM_KEY = List.of(List.of(Fields.VALUE));
    private static final List<List<String>> CHANNEL = List.of(List.of("srt", "passphrase"));
    private static final List<List<String>> SETTINGS = List.of(List.of("secret"));

    /** Raise when a member is added above, so every database re-seals its existing rows once at start. */
    public static final int POLICY_VERSION = 1;

    private SecretFields() {}

    /** Paths (member names from the document's root) of the secret members of a type; empty for none. */
    public static List<List<String>> of(String type) {
        return switch (type) {
            case Arn.STREAM_KEY -> STREAM_KEY;
            case Arn.CHANNEL -> CHANNEL;
            case SETTING -> SETTINGS;
            default -> List.of();
        };
    }

    /** The types {@link #of} names, for the one-time sealing of rows written before. */
    public static List<String> types() {
        return List.of(Arn.STREAM_KEY, Arn.CHANNEL, SETTING);
    }

    /** Whether the type's lookup column is derived from a secret (and so stored keyed, not as given). */
    public static boolean keyedLookup(String type) {
        return Arn.STREAM_KEY.equals(type);
    }
}
