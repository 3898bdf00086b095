package io.openivs.server.playback.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.impl.ECDSA;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Token parsing and signature form, against a token made for this test with a P-384 key: claims and ES384 as
 * the IVS User Guide's "Generate and Sign IVS Playback Tokens" describes them, the signature in JWS's raw R||S
 * form.
 */
class PlaybackTokenParseTest {
    static final String KEY = "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEmrvMAorEO8s1IzBZbXEFSQMqz0fAOIHR"
            + "WrKt6PPTB+gZgEbq/NV4h/12AklYZDreu939QEeqabFWbEFM6s2FHSmzgqMxdzXr"
            + "yixQGnhXF01BLYAdp16XFwsexr5XSz8N";
    static final String EXAMPLE =
            "eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCJ9.eyJhd3M6Y2hhbm5lbC1hcm4iOiJhcm46YXdzOml2czp1cy13ZXN0LTI6MTIzNDU2Nzg5MDEyOmNoYW5uZWwvQWJDZEVmMTIzNDU2IiwiYXdzOmFjY2Vzcy1jb250cm9sLWFsbG93LW9yaWdpbiI6Imh0dHBzOi8vZXhhbXBsZS5jb20iLCJhd3M6dmlld2VyLWlkIjoidmlld2VyLTQyIiwiYXdzOnZpZXdlci1zZXNzaW9uLXZlcnNpb24iOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDYwMH0.kgONRqVePPwbTKAVmDbToVyJCAgmms6dWHxoS6zhHsYwxSvycJpRoRNjaJR88KRifOxWkS0lNXN9m_el3HjOKh4ZRjEmXe-1lOJZ_WUaBoBj3ZKxmazsFo8-G399qIIw";

    static ECDSAVerifier verifier() throws Exception {
        return new ECDSAVerifier((ECPublicKey) KeyFactory.getInstance("EC")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(KEY))));
    }

    @Test
    void referenceExampleParsesAndVerifies() throws Exception {
        PlaybackToken t = PlaybackToken.parse(EXAMPLE);
        assertThat(t.channelArn()).isEqualTo("arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456");
        assertThat(t.expSeconds()).isEqualTo(1700000600L);
        assertThat(t.viewerId()).isEqualTo("viewer-42");
        assertThat(t.sessionVersion()).isEqualTo(1700000000L);
        assertThat(t.origins()).containsExactly("https://example.com");
        assertThat(t.signedBy(verifier())).isTrue();
    }

    @Test
    void derSignaturesAreNotJwsSignatures() throws Exception {
        String[] p = EXAMPLE.split("\\.");
        byte[] der = ECDSA.transcodeSignatureToDER(Base64.getUrlDecoder().decode(p[2]));
        String asDer = p[0] + "." + p[1] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(der);
        assertThat(PlaybackToken.parse(asDer).signedBy(verifier())).isFalse();
    }

    @Test
    void malformedTokensAreRefusedWithIvsMessages() {
        assertThatThrownBy(() -> PlaybackToken.parse("")).hasMessage("token contains an invalid number of segments");
        assertThatThrownBy(() -> PlaybackToken.parse("a.b")).hasMessage("token contains an invalid number of segments");
        assertThatThrownBy(() -> PlaybackToken.parse("a.b.c\n#EXT")).hasMessage("token is malformed");
        // alg HS256
        assertThatThrownBy(() -> PlaybackToken.parse("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.AAAA"))
                .hasMessage("token signing method is not ES384");
    }

    @Test
    void originPatternsAllowAWildcardHostPrefix() {
        List<String> allowed = OriginPatterns.split("https://a.example.com, https://*.b.example.com");
        assertThat(OriginPatterns.matches(allowed, "https://a.example.com")).isTrue();
        assertThat(OriginPatterns.matches(allowed, "https://x.y.b.example.com")).isTrue();
        assertThat(OriginPatterns.matches(allowed, "https://b.example.com.evil.org"))
                .isFalse();
        assertThat(OriginPatterns.matches(allowed, "http://a.example.com")).isFalse();
        assertThat(OriginPatterns.any(List.of())).isTrue();
        assertThat(OriginPatterns.any(List.of("*"))).isTrue();
    }

    @Test
    void resolutionClassesRankByTheShorterSide() {
        assertThat(ResolutionClass.SD.admits(854, 480)).isTrue();
        assertThat(ResolutionClass.SD.admits(960, 540)).isFalse();
        assertThat(ResolutionClass.HD.admits(720, 1280)).isTrue();
        assertThat(ResolutionClass.FULL_HD.admits(2560, 1440)).isFalse();
    }
}
