package io.openivs.server.resource;

/**
 * Members of stored documents that more than one package reads or writes. A channel's own members
 * are read through {@link ChannelSettings}.
 */
public final class Fields {
    /** The ARN the resource belongs to (stream key, viewer revocation). */
    public static final String CHANNEL_ARN = "channelArn";
    /** A stream key's secret value. */
    public static final String VALUE = "value";
    /** A viewer revocation's viewer. */
    public static final String VIEWER_ID = "viewerId";
    /** A viewer revocation's highest revoked viewer session version. */
    public static final String VERSION = "version";
    /** A playback key pair's public key, base64 DER SubjectPublicKeyInfo (never returned by the API). */
    public static final String PUBLIC_KEY_DER = "publicKeyDer";

    private Fields() {}
}
