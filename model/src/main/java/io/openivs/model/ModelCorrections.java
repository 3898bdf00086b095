package io.openivs.model;

/**
 * Deliberate departures from the published model, applied while loading. Each one names the shape, the
 * exact published text it replaces (so a corrected future model is left alone) and why.
 *
 * <p>Every pattern of ivs-2020-07-14 compiles unchanged with java.util.regex (checked by the loader, which
 * compiles them all, and by a test); none needed translating. Note that in {@code [a-zA-Z0-9-_]} and
 * {@code [a-z0-9-.]} Java, like the AWS validator, reads the {@code -} after a range as a literal hyphen.
 */
final class ModelCorrections {

    /**
     * The model writes the resource-type part of {@code ResourceArn} as {@code [a-z-]}, a single character,
     * so no real ARN ("...:channel/...", "...:stream-key/...") can match and every tag operation would fail
     * validation. Real IVS accepts all of its ARNs there; we use the evidently intended one-or-more form,
     * anchored because the validator must only accept the whole ARN.
     */
    static final String RESOURCE_ARN_PUBLISHED = "arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]/[a-zA-Z0-9-]+";

    static final String RESOURCE_ARN_CORRECTED = "^arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+$";

    /**
     * {@code PlaybackPublicKeyMaterial} is not marked sensitive in the model. It is a public key, but users
     * paste the wrong half of a key pair into it often enough, and a PEM private key echoed back in a
     * ValidationException (and from there into logs) would be a leak. So we never echo it.
     */
    static final String PUBLIC_KEY_MATERIAL = "PlaybackPublicKeyMaterial";

    private ModelCorrections() {}

    static String pattern(String shapeName, String published) {
        if ("ResourceArn".equals(shapeName) && RESOURCE_ARN_PUBLISHED.equals(published)) {
            return RESOURCE_ARN_CORRECTED;
        }
        return published;
    }

    static boolean sensitive(String shapeName, boolean published) {
        return published || PUBLIC_KEY_MATERIAL.equals(shapeName);
    }
}
