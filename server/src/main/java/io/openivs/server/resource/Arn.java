package io.openivs.server.resource;

/**
 * An IVS resource name: {@code arn:aws:ivs:<region>:<account>:<type>/<id>}.
 * Parsing is lenient about nothing: anything else is not an IVS ARN.
 */
public record Arn(String region, String account, String type, String id) {
    public static final String CHANNEL = "channel";
    public static final String STREAM_KEY = "stream-key";
    public static final String PLAYBACK_KEY = "playback-key";
    public static final String RECORDING_CONFIGURATION = "recording-configuration";
    public static final String PLAYBACK_RESTRICTION_POLICY = "playback-restriction-policy";
    public static final String AD_CONFIGURATION = "ad-configuration";

    private static final String PREFIX = "arn:aws:ivs:";

    public static Arn parse(String arn) {
        if (arn == null || !arn.startsWith(PREFIX)) {
            return null;
        }
        int r = arn.indexOf(':', PREFIX.length());
        if (r < 0) {
            return null;
        }
        int a = arn.indexOf(':', r + 1);
        if (a < 0) {
            return null;
        }
        int slash = arn.indexOf('/', a + 1);
        if (slash < 0 || slash == arn.length() - 1) {
            return null;
        }
        return new Arn(
                arn.substring(PREFIX.length(), r),
                arn.substring(r + 1, a),
                arn.substring(a + 1, slash),
                arn.substring(slash + 1));
    }

    public static String of(String region, String account, String type, String id) {
        return PREFIX + region + ":" + account + ":" + type + "/" + id;
    }

    @Override
    public String toString() {
        return of(region, account, type, id);
    }
}
