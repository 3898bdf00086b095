package io.openivs.server.playback.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.openivs.server.resource.Arn;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;

/**
 * Playback tokens the web console mints for its own preview of a private channel. IVS leaves minting to
 * the customer, who holds the private key; the console has none of the customer's, so this node makes
 * an ES384 key pair of its own at start (never stored, never shown) that playback accepts for every
 * account as if imported under the id {@link #KEY_ID} (no imported key's id has a hyphen). A token lives
 * {@link #TTL_SECONDS}; the console mints a new one per preview. Only this node knows the key: in a
 * cluster the preview plays from the node that minted it (its own playback port).
 */
public final class ConsoleTokens {
    /** The key pair's resource id as tickets name it. */
    public static final String KEY_ID = "openivs-console";

    public static final long TTL_SECONDS = 15 * 60;

    private final ECPrivateKey privateKey;
    private final ECDSAVerifier verifier;

    public ConsoleTokens() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp384r1"));
            java.security.KeyPair pair = g.generateKeyPair();
            this.privateKey = (ECPrivateKey) pair.getPrivate();
            this.verifier = new ECDSAVerifier((ECPublicKey) pair.getPublic());
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IllegalStateException("cannot make the console's ES384 key pair", e);
        }
    }

    /** The key pair as an account's imported one, under that account's ARN form. */
    AccessDirectory.KeyPair keyPairFor(String account, String region) {
        return new AccessDirectory.KeyPair(
                "arn:aws:ivs:" + region + ":" + account + ":" + Arn.PLAYBACK_KEY + "/" + KEY_ID, verifier);
    }

    /** A token for {@code channelArn} expiring {@link #TTL_SECONDS} after {@code nowMillis}. */
    public String mint(String channelArn, long nowMillis) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .claim("aws:channel-arn", channelArn)
                .claim("aws:access-control-allow-origin", "*")
                .expirationTime(new Date(nowMillis + TTL_SECONDS * 1000))
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES384)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        try {
            jwt.sign(new ECDSASigner(privateKey));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a console playback token", e);
        }
        return jwt.serialize();
    }
}
