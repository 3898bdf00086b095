package io.openivs.server.playback.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.util.Date;
import java.util.List;

/**
 * A viewer's playback token, parsed but not yet trusted: the claims of the IVS User Guide's "Generate and
 * Sign IVS Playback Tokens".
 * Parsing only checks shape; {@link #signedBy} checks the ES384 signature (the JWS raw R||S form,
 * which nimbus insists on), and {@link PlaybackGate} applies the claims.
 *
 * @param jws            the parsed JWS; null once verified and cached
 * @param expSeconds     {@code exp}, Unix seconds
 * @param viewerId       {@code aws:viewer-id}, or null
 * @param sessionVersion {@code aws:viewer-session-version}; 0 when absent
 * @param origins        {@code aws:access-control-allow-origin} split at commas, or null (any origin)
 * @param maxResolution  {@code aws:maximum-resolution}, or null
 * @param singleUse      {@code aws:single-use-uuid}, or null
 */
public record PlaybackToken(
        SignedJWT jws,
        String channelArn,
        long expSeconds,
        String viewerId,
        long sessionVersion,
        List<String> origins,
        boolean strictOrigin,
        ResolutionClass maxResolution,
        String singleUse) {

    /** Longest token accepted; real ones are well under 2 KB. */
    static final int MAX_LENGTH = 8192;

    /** @throws AccessDenied when the text is not a well-formed ES384 playback token */
    public static PlaybackToken parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH || dots(text) != 2) {
            throw AccessDenied.token("token contains an invalid number of segments");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // base64url and the dots only: the token is echoed into playlists, so nothing else may pass.
            if (!(c >= 'A' && c <= 'Z'
                    || c >= 'a' && c <= 'z'
                    || c >= '0' && c <= '9'
                    || c == '-'
                    || c == '_'
                    || c == '.')) {
                throw AccessDenied.token("token is malformed");
            }
        }
        SignedJWT jws;
        JWTClaimsSet claims;
        try {
            jws = SignedJWT.parse(text);
            claims = jws.getJWTClaimsSet();
        } catch (ParseException e) {
            throw AccessDenied.token("token is malformed");
        }
        if (!JWSAlgorithm.ES384.equals(jws.getHeader().getAlgorithm())) {
            throw AccessDenied.token("token signing method is not ES384");
        }
        Object arn = claims.getClaim("aws:channel-arn");
        if (!(arn instanceof String)) {
            throw AccessDenied.token("token has no aws:channel-arn claim");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw AccessDenied.token("token has no exp claim");
        }
        String viewer = string(claims, "aws:viewer-id");
        if (viewer != null && viewer.length() > 40) {
            throw AccessDenied.token("aws:viewer-id is longer than 40 characters");
        }
        String origin = string(claims, "aws:access-control-allow-origin");
        String res = string(claims, "aws:maximum-resolution");
        ResolutionClass max = res == null ? null : ResolutionClass.parse(res);
        if (res != null && max == null) {
            throw AccessDenied.token("aws:maximum-resolution must be SD, HD or FULL_HD");
        }
        return new PlaybackToken(
                jws,
                (String) arn,
                exp.getTime() / 1000,
                viewer,
                version(claims),
                origin == null ? null : OriginPatterns.split(origin),
                strict(claims),
                max,
                string(claims, "aws:single-use-uuid"));
    }

    /** The claims without the parsed JWS, to keep cached tokens small once the signature is checked. */
    PlaybackToken withoutJws() {
        return new PlaybackToken(
                null,
                channelArn,
                expSeconds,
                viewerId,
                sessionVersion,
                origins,
                strictOrigin,
                maxResolution,
                singleUse);
    }

    /** True if the signature verifies with {@code verifier}'s key. */
    boolean signedBy(JWSVerifier verifier) {
        try {
            return verifier.verify(jws.getHeader(), jws.getSigningInput(), jws.getSignature());
        } catch (JOSEException e) {
            return false;
        }
    }

    private static int dots(String s) {
        int n = 0;
        for (int i = s.indexOf('.'); i >= 0; i = s.indexOf('.', i + 1)) {
            n++;
        }
        return n;
    }

    private static String string(JWTClaimsSet claims, String name) {
        Object v = claims.getClaim(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw AccessDenied.token(name + " must be a string");
        }
        return s;
    }

    /** The docs show the version quoted; accept a number or a numeric string, compared as 64-bit. */
    private static long version(JWTClaimsSet claims) {
        Object v = claims.getClaim("aws:viewer-session-version");
        if (v == null) {
            return 0;
        }
        try {
            if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                return n.longValue();
            }
            if (v instanceof String s) {
                return Long.parseLong(s.strip());
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw AccessDenied.token("aws:viewer-session-version must be an integer");
    }

    private static boolean strict(JWTClaimsSet claims) {
        Object v = claims.getClaim("aws:strict-origin-enforcement");
        return Boolean.TRUE.equals(v) || "true".equals(v);
    }
}
