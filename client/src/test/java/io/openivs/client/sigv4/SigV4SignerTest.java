package io.openivs.client.sigv4;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.client.credentials.AwsCredentials;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** Our signatures are the AWS SDK v2 signer's, byte for byte, for the requests an IVS client sends. */
class SigV4SignerTest {

    private static final Instant TIME = Instant.parse("2024-03-05T07:08:09Z");
    private static final AwsCredentials KEYS =
            AwsCredentials.of("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static final AwsCredentials SESSION = new AwsCredentials(
            "ASIAEXAMPLE", "c2VjcmV0L3NlY3JldA==", "FwoGZXIvYXdzEJr//////////wEaDOeTokenWith+Slash/AndEquals==");

    record Case(
            String name,
            String method,
            String uri,
            Map<String, List<String>> headers,
            String body,
            AwsCredentials credentials) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> requests() {
        String arnPath = "/tags/arn%3Aaws%3Aivs%3Aus-west-2%3A123456789012%3Achannel%2FAbCd";
        Map<String, List<String>> json = Map.of("Content-Type", List.of("application/json"));
        return Stream.of(
                new Case(
                        "GET ListTagsForResource, ARN in path",
                        "GET",
                        "https://ivs.us-west-2.amazonaws.com" + arnPath,
                        Map.of(),
                        null,
                        KEYS),
                new Case(
                        "DELETE UntagResource, repeated tagKeys",
                        "DELETE",
                        "https://ivs.us-west-2.amazonaws.com" + arnPath
                                + "?tagKeys=team&tagKeys=cost%20center&tagKeys=a~b",
                        Map.of(),
                        null,
                        KEYS),
                new Case(
                        "POST TagResource, ARN in path and JSON body",
                        "POST",
                        "https://ivs.us-west-2.amazonaws.com" + arnPath,
                        json,
                        "{\"tags\":{\"team\":\"video\",\"emoji\":\"\u00e9\u00e8\"}}",
                        KEYS),
                new Case(
                        "POST CreateChannel, JSON body",
                        "POST",
                        "https://ivs.us-west-2.amazonaws.com/CreateChannel",
                        json,
                        "{\"name\":\"my-channel\",\"latencyMode\":\"LOW\",\"type\":\"STANDARD\"}",
                        KEYS),
                new Case(
                        "POST ListChannels, empty JSON object",
                        "POST",
                        "https://ivs.us-west-2.amazonaws.com/ListChannels",
                        json,
                        "{}",
                        KEYS),
                new Case(
                        "POST with an empty body",
                        "POST",
                        "https://ivs.us-west-2.amazonaws.com/StopStream",
                        Map.of(),
                        "",
                        KEYS),
                new Case(
                        "session credentials",
                        "POST",
                        "https://ivs.us-west-2.amazonaws.com/GetChannel",
                        json,
                        "{\"arn\":\"arn:aws:ivs:us-west-2:123456789012:channel/AbCd\"}",
                        SESSION),
                new Case(
                        "non-default port, unsorted query, spaces in a header",
                        "POST",
                        "http://localhost:8080/ListStreams?b=2&a=1&a=0&empty=&plus=1%2B1",
                        Map.of(
                                "Content-Type", List.of("application/json"),
                                "X-Custom", List.of("  two   spaces  inside ", "second")),
                        "{}",
                        KEYS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void sameAuthorizationAsTheAwsSdk(Case c) {
        URI uri = URI.create(c.uri());
        byte[] body = c.body() == null ? null : c.body().getBytes(StandardCharsets.UTF_8);

        Map<String, String> ours =
                new SigV4Signer("ivs", "us-west-2").sign(c.method(), uri, c.headers(), body, c.credentials(), TIME);

        Map<String, String> theirs = sdkSign(c, uri, body);
        assertThat(ours.get("Authorization")).isEqualTo(theirs.get("authorization"));
        assertThat(ours.get("X-Amz-Date")).isEqualTo(theirs.get("x-amz-date")).isEqualTo("20240305T070809Z");
        assertThat(ours.get("X-Amz-Content-Sha256")).isEqualTo(theirs.get("x-amz-content-sha256"));
        assertThat(ours.get("X-Amz-Security-Token")).isEqualTo(theirs.get("x-amz-security-token"));
    }

    @Test
    void theSecretNeverLeavesTheSigner() {
        Map<String, String> headers = new SigV4Signer("ivs", "us-west-2")
                .sign("GET", URI.create("https://ivs.us-west-2.amazonaws.com/x"), Map.of(), null, KEYS, TIME);
        assertThat(headers.toString()).doesNotContain(KEYS.secretAccessKey());
        assertThat(KEYS.toString()).doesNotContain(KEYS.secretAccessKey()).contains("AKIDEXAMPLE");
        assertThat(SESSION.toString()).doesNotContain(SESSION.sessionToken());
    }

    @Test
    void canonicalPathEncodesTheEncodedArnAgain() {
        assertThat(SigV4Signer.canonicalPath("/tags/arn%3Aaws%3Aivs%3Aus-west-2%3A1%3Achannel%2FAbCd"))
                .isEqualTo("/tags/arn%253Aaws%253Aivs%253Aus-west-2%253A1%253Achannel%252FAbCd");
        assertThat(SigV4Signer.canonicalPath("")).isEqualTo("/");
        assertThat(SigV4Signer.canonicalPath("/a/./b/../c/")).isEqualTo("/a/c/");
    }

    private static Map<String, String> sdkSign(Case c, URI uri, byte[] body) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(c.method()))
                .uri(uri);
        c.headers().forEach(request::putHeader);
        AwsCredentialsIdentity identity = c.credentials().sessionToken() == null
                ? AwsCredentialsIdentity.create(
                        c.credentials().accessKeyId(), c.credentials().secretAccessKey())
                : AwsSessionCredentialsIdentity.create(
                        c.credentials().accessKeyId(),
                        c.credentials().secretAccessKey(),
                        c.credentials().sessionToken());
        SignedRequest signed = AwsV4HttpSigner.create()
                .sign(r -> r.identity(identity)
                        .request(request.build())
                        .payload(body == null ? null : ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ivs")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-west-2")
                        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(TIME, ZoneOffset.UTC)));
        Map<String, String> out = new LinkedHashMap<>();
        signed.request().forEachHeader((k, v) -> out.put(k.toLowerCase(), v.get(0)));
        return out;
    }
}
