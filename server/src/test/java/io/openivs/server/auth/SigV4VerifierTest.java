package io.openivs.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.AuthLocation;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/** Requests signed by the AWS SDK's own signers, handed to the verifier as they would arrive on the wire. */
class SigV4VerifierTest {
    static final String AKID = "AKIAOPENIVSTEST00001";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static final String ACCOUNT = "123456789012";
    static final Instant SIGNED_AT = Instant.parse("2024-01-01T00:00:00Z");
    static final URI ENDPOINT = URI.create("https://ivs.openivs.test:8443");
    static final String ARN = "arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456";
    static final String CREATE_CHANNEL_BODY = "{\"name\":\"my-channel\",\"latencyMode\":\"LOW\",\"type\":\"STANDARD\"}";

    final Map<String, CredentialStore.Credential> keys =
            new ConcurrentHashMap<>(Map.of(AKID, new CredentialStore.Credential(AKID, SECRET, ACCOUNT)));
    final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void releaseBuffers() {
        buffers.forEach(ByteBuf::release);
    }

    // ---- accepted ----

    @Test
    void acceptsPostWithJsonBody() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});

        assertThat(wire.headers.get("x-amz-content-sha256"))
                .as("the SDK sends the body hash")
                .isNotNull();
        assertThat(wire.verify(verifierAt(SIGNED_AT))).isEqualTo(new Principal(AKID, ACCOUNT));
    }

    @Test
    void acceptsBodySplitAcrossDirectBuffers() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});
        byte[] body = CREATE_CHANNEL_BODY.getBytes(StandardCharsets.UTF_8);
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        composite.addComponent(true, Unpooled.directBuffer().writeBytes(body, 0, 10));
        composite.addComponent(true, Unpooled.directBuffer().writeBytes(body, 10, body.length - 10));
        buffers.add(composite);

        Wire received = new Wire(wire.method, wire.rawUri, wire.headers, composite);

        assertThat(received.verify(verifierAt(SIGNED_AT))).isEqualTo(new Principal(AKID, ACCOUNT));
        assertThat(composite.readerIndex())
                .as("body left unread for the handler")
                .isZero();
    }

    @Test
    void acceptsGetOfPercentEncodedArnPath() throws Exception {
        Wire wire = sign(listTags(), "", s -> {});

        assertThat(wire.rawUri).isEqualTo("/tags/arn%3Aaws%3Aivs%3Aus-west-2%3A123456789012%3Achannel%2FAbCdEf123456");
        assertThat(wire.verify(verifierAt(SIGNED_AT))).isEqualTo(new Principal(AKID, ACCOUNT));
    }

    @Test
    void acceptsDeleteWithRepeatedQueryParameter() throws Exception {
        Wire wire = sign(untag("a", "b"), "", s -> {});

        assertThat(wire.rawUri).endsWith("?tagKeys=a&tagKeys=b");
        assertThat(wire.verify(verifierAt(SIGNED_AT))).isEqualTo(new Principal(AKID, ACCOUNT));
    }

    @Test
    void acceptsQueryNeedingCanonicalSortingAndEncoding() throws Exception {
        SdkHttpFullRequest request = get("/tags/x")
                .appendRawQueryParameter("b", "2")
                .appendRawQueryParameter("a-b", "1")
                .appendRawQueryParameter("a", "z y")
                .appendRawQueryParameter("a", "")
                .appendRawQueryParameter("c", null)
                .appendRawQueryParameter("key with space", "é*+~/=&")
                .build();
        Wire wire = sign(request, "", s -> {});

        assertThat(wire.rawUri).contains("&c&").contains("%20");
        assertThat(wire.verify(verifierAt(SIGNED_AT))).isEqualTo(new Principal(AKID, ACCOUNT));
    }

    @Test
    void acceptsPathWithDotSegmentsAsTheSdkNormalisesThem() throws Exception {
        SdkHttpFullRequest request = createChannel().toBuilder()
                .encodedPath("/ignored/../CreateChannel")
                .build();
        Wire wire = sign(request, CREATE_CHANNEL_BODY, s -> {});

        assertThat(wire.rawUri).isEqualTo("/ignored/../CreateChannel");
        assertThat(wire.verify(verifierAt(SIGNED_AT))).isEqualTo(new Principal(AKID, ACCOUNT));
    }

    @Test
    void acceptsRequestWithoutBodyHashHeader() throws Exception {
        Wire wire = signLegacy(createChannel(), CREATE_CHANNEL_BODY, SECRET, "us-west-2");

        assertThat(wire.headers.contains("x-amz-content-sha256"))
                .as("legacy signer sends no body hash")
                .isFalse();
        assertThat(wire.verify(verifierAt(SIGNED_AT))).isEqualTo(new Principal(AKID, ACCOUNT));
    }

    @Test
    void acceptsUnsignedPayload() throws Exception {
        Wire wire = sign(
                createChannel(),
                CREATE_CHANNEL_BODY,
                s -> s.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false));

        assertThat(wire.headers.get("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(wire.verify(verifierAt(SIGNED_AT))).isEqualTo(new Principal(AKID, ACCOUNT));
    }

    @Test
    void acceptsSecurityTokenAndUnsignedHeadersAddedInTransit() throws Exception {
        SdkHttpFullRequest request = createChannel().toBuilder()
                .putHeader("X-Amz-Security-Token", "session-token")
                .build();
        Wire wire = sign(request, CREATE_CHANNEL_BODY, s -> {});
        wire.headers.set("User-Agent", "changed-by-a-proxy").add("X-Forwarded-For", "10.0.0.1");

        assertThat(wire.verify(verifierAt(SIGNED_AT))).isEqualTo(new Principal(AKID, ACCOUNT));
    }

    @Test
    void acceptsRepeatedSignedHeaderInReceivedOrder() throws Exception {
        SdkHttpFullRequest request = createChannel().toBuilder()
                .appendHeader("X-Amz-Meta-Trace", "first")
                .appendHeader("X-Amz-Meta-Trace", "second")
                .build();
        Wire wire = sign(request, CREATE_CHANNEL_BODY, s -> {});

        assertThat(wire.headers.getAll("X-Amz-Meta-Trace")).containsExactly("first", "second");
        assertThat(wire.verify(verifierAt(SIGNED_AT))).isEqualTo(new Principal(AKID, ACCOUNT));
    }

    @Test
    void acceptsSkewOfExactlyFifteenMinutesEitherWay() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});

        assertThat(wire.verify(verifierAt(SIGNED_AT.plus(Duration.ofMinutes(15)))))
                .isNotNull();
        assertThat(wire.verify(verifierAt(SIGNED_AT.minus(Duration.ofMinutes(15)))))
                .isNotNull();
    }

    @Test
    void acceptsPresignedGet() throws Exception {
        Wire wire = sign(listTags(), "", presigned(Duration.ofMinutes(10)));

        assertThat(wire.headers.contains("Authorization")).isFalse();
        assertThat(wire.rawUri).contains("X-Amz-Signature=").contains("X-Amz-Expires=600");
        assertThat(wire.verify(verifierAt(SIGNED_AT.plus(Duration.ofMinutes(9)))))
                .isEqualTo(new Principal(AKID, ACCOUNT));
    }

    @Test
    void acceptsTheSignatureFromAwsDocumentationExample() throws Exception {
        // AWS's published SigV4 example (IAM ListUsers); independent of any SDK.
        keys.put("AKIDEXAMPLE", new CredentialStore.Credential("AKIDEXAMPLE", SECRET, ACCOUNT));
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Host", "iam.amazonaws.com")
                .add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .add("X-Amz-Date", "20150830T123600Z")
                .add(
                        "Authorization",
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                                + "SignedHeaders=content-type;host;x-amz-date, "
                                + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
        SigV4Verifier iam = new SigV4Verifier(
                keys::get, "us-east-1", "iam", Clock.fixed(Instant.parse("2015-08-30T12:36:00Z"), ZoneOffset.UTC));

        assertThat(iam.verify("GET", "/?Action=ListUsers&Version=2010-05-08", headers, Unpooled.EMPTY_BUFFER))
                .isEqualTo(new Principal("AKIDEXAMPLE", ACCOUNT));
    }

    @Test
    void rotatedSecretTakesEffectImmediately() throws Exception {
        SigV4Verifier verifier = verifierAt(SIGNED_AT);
        assertThat(sign(createChannel(), CREATE_CHANNEL_BODY, s -> {}).verify(verifier))
                .isNotNull();

        keys.put(AKID, new CredentialStore.Credential(AKID, "rotated-secret", ACCOUNT));

        assertRefused(sign(createChannel(), CREATE_CHANNEL_BODY, s -> {}), verifier, "InvalidSignatureException");
        Wire withNewSecret = sign(
                createChannel(),
                CREATE_CHANNEL_BODY,
                s -> s.identity(AwsCredentialsIdentity.create(AKID, "rotated-secret")));
        assertThat(withNewSecret.verify(verifier)).isEqualTo(new Principal(AKID, ACCOUNT));
    }

    @Test
    void verifiesConcurrentlyFromManyThreads() throws Exception {
        SigV4Verifier verifier = verifierAt(SIGNED_AT);
        List<Wire> wires = List.of(
                sign(createChannel(), CREATE_CHANNEL_BODY, s -> {}),
                sign(listTags(), "", s -> {}),
                sign(untag("a", "b"), "", s -> {}),
                sign(listTags(), "", presigned(Duration.ofMinutes(5))));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 500; i++) {
                        ok += wires.get(i % wires.size()).verify(verifier) != null ? 1 : 0;
                    }
                    return ok;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(500);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- refused ----

    @Test
    void refusesWrongSecret() throws Exception {
        Wire wire = sign(
                createChannel(),
                CREATE_CHANNEL_BODY,
                s -> s.identity(AwsCredentialsIdentity.create(AKID, "not-the-secret")));

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "InvalidSignatureException");
        assertThat(e.getMessage())
                .isEqualTo(
                        "The request signature we calculated does not match the signature you provided."
                                + " Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    @Test
    void refusesUnknownAccessKey() throws Exception {
        Wire wire = sign(
                createChannel(),
                CREATE_CHANNEL_BODY,
                s -> s.identity(AwsCredentialsIdentity.create("AKIAUNKNOWN000000000", SECRET)));

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "UnrecognizedClientException");
        assertThat(e.getMessage()).isEqualTo("The security token included in the request is invalid.");
    }

    @Test
    void refusesRequestWithoutAuthentication() {
        Wire wire = toWire(untag("a", "b"), new byte[0]);

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "MissingAuthenticationTokenException");
        assertThat(e.getMessage()).isEqualTo("Missing Authentication Token");
    }

    @Test
    void refusesTamperedBodyAgainstBodyHashHeader() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {})
                .withBody(CREATE_CHANNEL_BODY.replace("LOW", "NORMAL"));

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "InvalidSignatureException");
        assertThat(e.getMessage()).contains("x-amz-content-sha256");
    }

    @Test
    void refusesTamperedBodyWithoutBodyHashHeader() throws Exception {
        Wire wire = signLegacy(createChannel(), CREATE_CHANNEL_BODY, SECRET, "us-west-2")
                .withBody(CREATE_CHANNEL_BODY.replace("LOW", "NORMAL"));

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "InvalidSignatureException");
        assertThat(e.getMessage()).isEqualTo(SigV4Verifier.SIGNATURE_MISMATCH);
    }

    @Test
    void refusesTamperedSignedHeader() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});
        wire.headers.set("Content-Type", "text/plain");

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "InvalidSignatureException");
        assertThat(e.getMessage()).isEqualTo(SigV4Verifier.SIGNATURE_MISMATCH);
    }

    @Test
    void refusesTamperedQuery() throws Exception {
        Wire wire = sign(untag("a", "b"), "", s -> {});
        Wire tampered = new Wire(wire.method, wire.rawUri.replace("tagKeys=b", "tagKeys=c"), wire.headers, wire.body);

        assertRefused(tampered, verifierAt(SIGNED_AT), "InvalidSignatureException");
    }

    @Test
    void refusesTwentyMinuteOldTimestamp() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});

        AuthException e =
                assertRefused(wire, verifierAt(SIGNED_AT.plus(Duration.ofMinutes(20))), "InvalidSignatureException");
        assertThat(e.getMessage())
                .isEqualTo(
                        "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T002000Z - 15 min.)");
    }

    @Test
    void refusesTwentyMinuteFutureTimestamp() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});

        AuthException e =
                assertRefused(wire, verifierAt(SIGNED_AT.minus(Duration.ofMinutes(20))), "InvalidSignatureException");
        assertThat(e.getMessage())
                .isEqualTo(
                        "Signature not yet current: 20240101T000000Z is still later than 20231231T235500Z (20231231T234000Z + 15 min.)");
    }

    @Test
    void refusesCredentialScopedToAnotherRegion() throws Exception {
        Wire wire = sign(
                createChannel(), CREATE_CHANNEL_BODY, s -> s.putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1"));

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "InvalidSignatureException");
        assertThat(e.getMessage()).isEqualTo("Credential should be scoped to a valid region.");
    }

    @Test
    void refusesCredentialScopedToAnotherService() throws Exception {
        Wire wire = sign(
                createChannel(),
                CREATE_CHANNEL_BODY,
                s -> s.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api"));

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "InvalidSignatureException");
        assertThat(e.getMessage()).isEqualTo("Credential should be scoped to correct service: 'ivs'.");
    }

    @Test
    void refusesExpiredPresignedUrl() throws Exception {
        Wire wire = sign(listTags(), "", presigned(Duration.ofMinutes(10)));

        AuthException e =
                assertRefused(wire, verifierAt(SIGNED_AT.plus(Duration.ofSeconds(601))), "InvalidSignatureException");
        assertThat(e.getMessage())
                .isEqualTo(
                        "Signature expired: 20240101T000000Z is now earlier than 20240101T000001Z (20240101T001001Z - 600 sec.)");
    }

    @Test
    void refusesPresignedUrlWithTamperedSignatureOrExpiry() throws Exception {
        Wire wire = sign(listTags(), "", presigned(Duration.ofMinutes(10)));
        Wire longer = new Wire(
                wire.method, wire.rawUri.replace("X-Amz-Expires=600", "X-Amz-Expires=6000"), wire.headers, wire.body);
        Wire overAWeek = new Wire(
                wire.method, wire.rawUri.replace("X-Amz-Expires=600", "X-Amz-Expires=604801"), wire.headers, wire.body);

        assertThat(assertRefused(longer, verifierAt(SIGNED_AT), "InvalidSignatureException")
                        .getMessage())
                .isEqualTo(SigV4Verifier.SIGNATURE_MISMATCH);
        assertThat(assertRefused(overAWeek, verifierAt(SIGNED_AT), "IncompleteSignatureException")
                        .getMessage())
                .contains("X-Amz-Expires");
    }

    @Test
    void refusesPresignedUrlMissingParameters() throws Exception {
        Wire wire = sign(listTags(), "", presigned(Duration.ofMinutes(10)));
        String withoutCredential = wire.rawUri.replaceAll("&?X-Amz-Credential=[^&]*", "");

        AuthException e = assertRefused(
                new Wire("GET", withoutCredential, wire.headers, wire.body),
                verifierAt(SIGNED_AT),
                "IncompleteSignatureException");
        assertThat(e.getMessage())
                .isEqualTo(
                        "AWS query-string parameters must include 'X-Amz-Credential'. Re-examine the query-string parameters.");
    }

    @Test
    void refusesMalformedAuthorizationHeader() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});
        String authorization = wire.headers.get("Authorization");
        wire.headers.set("Authorization", authorization.replaceAll("Credential=[^,]*, ", ""));

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "IncompleteSignatureException");
        assertThat(e.getMessage()).isEqualTo("Authorization header requires 'Credential' parameter.");
    }

    @Test
    void refusesCredentialWithoutFiveParts() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});
        wire.headers.set("Authorization", wire.headers.get("Authorization").replace("/aws4_request", ""));

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "IncompleteSignatureException");
        assertThat(e.getMessage()).startsWith("Credential must have exactly 5 slash-delimited elements");
    }

    @Test
    void refusesMissingDate() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});
        wire.headers.remove("X-Amz-Date");

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "IncompleteSignatureException");
        assertThat(e.getMessage())
                .isEqualTo("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }

    @Test
    void readsRequestTimeFromDateHeaderWhenXAmzDateIsAbsent() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});
        wire.headers.remove("X-Amz-Date").set("Date", "Mon, 01 Jan 2024 00:00:00 GMT");

        AuthException e =
                assertRefused(wire, verifierAt(SIGNED_AT.plus(Duration.ofHours(1))), "InvalidSignatureException");
        assertThat(e.getMessage()).startsWith("Signature expired: 20240101T000000Z is now earlier than");
    }

    @Test
    void refusesScopeDateOtherThanRequestDate() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});
        wire.headers.set("Authorization", wire.headers.get("Authorization").replace("/20240101/", "/20240102/"));

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "IncompleteSignatureException");
        assertThat(e.getMessage())
                .isEqualTo("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of"
                        + " date from HTTP: '20240102' != '20240101', from '20240101T000000Z'.");
    }

    @Test
    void refusesSignatureThatDoesNotCoverHost() throws Exception {
        Wire wire = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});
        wire.headers.set("Authorization", wire.headers.get("Authorization").replace(";host;", ";"));

        AuthException e = assertRefused(wire, verifierAt(SIGNED_AT), "IncompleteSignatureException");
        assertThat(e.getMessage()).contains("'Host'");
    }

    @Test
    void refusesOtherAuthorizationSchemes() {
        Wire wire = toWire(createChannel(), CREATE_CHANNEL_BODY.getBytes(StandardCharsets.UTF_8));
        wire.headers.set("Authorization", "Bearer abc");

        assertRefused(wire, verifierAt(SIGNED_AT), "IncompleteSignatureException");
    }

    @Test
    void messagesNeverContainTheSecret() throws Exception {
        List<Wire> refused = new ArrayList<>();
        refused.add(
                sign(createChannel(), CREATE_CHANNEL_BODY, s -> s.identity(AwsCredentialsIdentity.create(AKID, "x"))));
        // Clients that put the secret where the access key id or signature belongs.
        refused.add(sign(
                createChannel(), CREATE_CHANNEL_BODY, s -> s.identity(AwsCredentialsIdentity.create(SECRET, SECRET))));
        refused.add(sign(
                createChannel(),
                CREATE_CHANNEL_BODY,
                s -> s.identity(AwsCredentialsIdentity.create("AKIA" + SECRET, SECRET))));
        Wire bearer = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});
        bearer.headers.set("Authorization", "Bearer " + SECRET);
        refused.add(bearer);
        Wire secretAsSignature = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});
        secretAsSignature.headers.set(
                "Authorization",
                secretAsSignature.headers.get("Authorization").replaceAll("Signature=.*", "Signature=" + SECRET));
        refused.add(secretAsSignature);
        Wire secretAsScope = sign(createChannel(), CREATE_CHANNEL_BODY, s -> {});
        secretAsScope.headers.set(
                "Authorization", secretAsScope.headers.get("Authorization").replace("/20240101/", "/" + SECRET + "/"));
        refused.add(secretAsScope);
        refused.add(
                sign(createChannel(), CREATE_CHANNEL_BODY, s -> s.putProperty(AwsV4HttpSigner.REGION_NAME, SECRET)));

        for (Wire wire : refused) {
            AuthException e = catchThrowableOfType(() -> wire.verify(verifierAt(SIGNED_AT)), AuthException.class);
            assertThat(e).as(wire.headers.get("Authorization")).isNotNull();
            assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("wJalrXUtnFEMI");
            assertThat(e.toString()).doesNotContain(SECRET);
        }
        assertThat(keys.get(AKID).toString()).doesNotContain(SECRET).contains(AKID);
    }

    // ---- helpers ----

    static SigV4Verifier verifierAt(Instant now, Map<String, CredentialStore.Credential> keys) {
        return new SigV4Verifier(keys::get, "us-west-2", "ivs", Clock.fixed(now, ZoneOffset.UTC));
    }

    SigV4Verifier verifierAt(Instant now) {
        return verifierAt(now, keys);
    }

    static AuthException assertRefused(Wire wire, SigV4Verifier verifier, String errorCode) {
        AuthException e = catchThrowableOfType(() -> wire.verify(verifier), AuthException.class);
        assertThat(e).as("refused").isNotNull();
        assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(errorCode);
        assertThat(e.status()).isEqualTo(403);
        return e;
    }

    static SdkHttpFullRequest.Builder request(SdkHttpMethod method, String encodedPath) {
        return SdkHttpFullRequest.builder().method(method).uri(ENDPOINT).encodedPath(encodedPath);
    }

    static SdkHttpFullRequest.Builder get(String encodedPath) {
        return request(SdkHttpMethod.GET, encodedPath);
    }

    static SdkHttpFullRequest createChannel() {
        return request(SdkHttpMethod.POST, "/CreateChannel")
                .putHeader("Content-Type", "application/json")
                .build();
    }

    static SdkHttpFullRequest listTags() {
        // The path encoding the SDK's REST marshaller applies to a path label.
        return get("/tags/" + SdkHttpUtils.urlEncode(ARN)).build();
    }

    static SdkHttpFullRequest untag(String... tagKeys) {
        SdkHttpFullRequest.Builder b = request(SdkHttpMethod.DELETE, "/tags/" + SdkHttpUtils.urlEncode(ARN));
        for (String key : tagKeys) {
            b.appendRawQueryParameter("tagKeys", key);
        }
        return b.build();
    }

    static Consumer<SignRequest.Builder<AwsCredentialsIdentity>> presigned(Duration expiry) {
        return s -> s.putProperty(AwsV4HttpSigner.AUTH_LOCATION, AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, expiry);
    }

    /** Signs with the SDK's current signer (the one IvsClient uses), by default as AKID for us-west-2/ivs at SIGNED_AT. */
    Wire sign(SdkHttpFullRequest request, String body, Consumer<SignRequest.Builder<AwsCredentialsIdentity>> tweak) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SignRequest.Builder<AwsCredentialsIdentity> b = SignRequest.builder(AwsCredentialsIdentity.create(AKID, SECRET))
                .request(request)
                .payload(() -> new ByteArrayInputStream(bytes))
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-west-2")
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ivs")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(SIGNED_AT, ZoneOffset.UTC));
        tweak.accept(b);
        return toWire(AwsV4HttpSigner.create().sign(b.build()).request(), bytes);
    }

    /** Signs with the SDK's legacy signer, which sends no X-Amz-Content-SHA256 header. */
    @SuppressWarnings("deprecation")
    Wire signLegacy(SdkHttpFullRequest request, String body, String secret, String region) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpFullRequest withBody = request.toBuilder()
                .contentStreamProvider(() -> new ByteArrayInputStream(bytes))
                .build();
        Aws4SignerParams params = Aws4SignerParams.builder()
                .awsCredentials(AwsBasicCredentials.create(AKID, secret))
                .signingName("ivs")
                .signingRegion(Region.of(region))
                .signingClockOverride(Clock.fixed(SIGNED_AT, ZoneOffset.UTC))
                .build();
        return toWire(Aws4Signer.create().sign(withBody, params), bytes);
    }

    /** What an HTTP client puts on the wire for the signed request, as Netty hands it to the server. */
    Wire toWire(SdkHttpRequest signed, byte[] body) {
        URI uri = signed.getUri();
        String rawUri = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        HttpHeaders headers = new DefaultHttpHeaders();
        signed.forEachHeader((name, values) -> values.forEach(v -> headers.add(name, v)));
        if (!headers.contains("Host")) {
            headers.add("Host", uri.getAuthority());
        }
        headers.add("User-Agent", "aws-sdk-java/2 test");
        headers.add("Content-Length", body.length);
        ByteBuf buffer = Unpooled.wrappedBuffer(body);
        buffers.add(buffer);
        return new Wire(signed.method().name(), rawUri, headers, buffer);
    }

    record Wire(String method, String rawUri, HttpHeaders headers, ByteBuf body) {
        Principal verify(SigV4Verifier verifier) throws AuthException {
            return verifier.verify(method, rawUri, headers, body);
        }

        Wire withBody(String newBody) {
            return new Wire(method, rawUri, headers, Unpooled.copiedBuffer(newBody, StandardCharsets.UTF_8));
        }
    }
}
