package io.openivs.server.playback.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import java.util.function.Consumer;

/** Playback key pairs and viewer tokens as a customer's backend would make them. */
public final class TestTokens {
    private TestTokens() {}

    public static KeyPair newKeyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        return g.generateKeyPair();
    }

    public static String publicPem(KeyPair k) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes())
                        .encodeToString(k.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** A token for the channel expiring in {@code ttlSeconds} (negative: already expired), with more claims from {@code extra}. */
    public static String sign(KeyPair k, String channelArn, long ttlSeconds, Consumer<JWTClaimsSet.Builder> extra) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .claim("aws:channel-arn", channelArn)
                .expirationTime(new Date((System.currentTimeMillis() / 1000 + ttlSeconds) * 1000));
        extra.accept(claims);
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES384)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims.build());
        try {
            jwt.sign(new ECDSASigner((java.security.interfaces.ECPrivateKey) k.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    public static String sign(KeyPair k, String channelArn, long ttlSeconds) {
        return sign(k, channelArn, ttlSeconds, c -> {});
    }
}
