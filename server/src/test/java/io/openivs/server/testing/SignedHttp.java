package io.openivs.server.testing;

import io.openivs.server.auth.CredentialStore;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Set;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Raw API requests signed by the AWS SDK's own SigV4 signer, for inputs an
 * SDK client would never send (malformed JSON, wrong types, old timestamps).
 */
public final class SignedHttp {
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect");
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI endpoint;
    private final CredentialStore.Credential who;

    public SignedHttp(URI endpoint, CredentialStore.Credential who) {
        this.endpoint = endpoint;
        this.who = who;
    }

    public HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
        return send(method, path, body, Clock.systemUTC());
    }

    public HttpResponse<String> send(String method, String path, byte[] body, Clock signingClock) throws Exception {
        SdkHttpFullRequest request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.fromValue(method))
                .uri(endpoint.resolve(path))
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .build();
        SdkHttpRequest signed = AwsV4HttpSigner.create()
                .sign(SignRequest.builder(AwsCredentialsIdentity.create(who.accessKeyId(), who.secretKey()))
                        .request(request)
                        .payload(() -> new ByteArrayInputStream(body))
                        .putProperty(AwsV4HttpSigner.REGION_NAME, TestServer.REGION)
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ivs")
                        .putProperty(HttpSigner.SIGNING_CLOCK, signingClock)
                        .build())
                .request();
        return sendRaw(signed, body);
    }

    public HttpResponse<String> unsigned(String method, String path, byte[] body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(endpoint.resolve(path))
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> sendRaw(SdkHttpRequest signed, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(signed.getUri())
                .method(signed.method().name(), HttpRequest.BodyPublishers.ofByteArray(body));
        signed.forEachHeader((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase())) {
                values.forEach(v -> b.header(name, v));
            }
        });
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
