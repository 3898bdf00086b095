package io.openivs.server.resource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The store's lookup keys for resources found by something other than their ARN. The control API
 * writes them and ingest and playback find by them, so both must compute them alike.
 */
public final class Lookups {
    /** Stored type of a viewer revocation (one per channel and viewer); not an IVS resource, so it has no ARN type. */
    public static final String VIEWER_REVOCATION = "viewer-revocation";

    private Lookups() {}

    /**
     * A stream key's lookup: the SHA-256 of its value, so ingest finds a key by what the encoder sent
     * without an index over the secret itself.
     */
    public static String streamKey(String value) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(d.digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A channel's revocation record for one viewer. */
    public static String viewerRevocation(String channelArn, String viewerId) {
        return channelArn + "\n" + viewerId;
    }
}
