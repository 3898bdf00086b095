package io.openivs.client.transport;

import io.openivs.client.credentials.AwsCredentials;
import io.openivs.client.credentials.CredentialsProvider;
import io.openivs.client.protocol.RestJson;
import io.openivs.client.protocol.WireRequest;
import io.openivs.client.protocol.WireResponse;
import io.openivs.client.sigv4.SigV4Signer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@link WireRequest}s to one endpoint over {@link HttpClient}: signs every attempt afresh (the
 * signature carries the time) and retries as the {@link RetryPolicy} allows. Error responses are returned,
 * not thrown: making exceptions of them is the caller's business. Thread-safe.
 */
public final class HttpTransport {

    /**
     * @param endpoint       scheme, host, port and an optional base path, e.g. {@code https://ivs.us-west-2.amazonaws.com}
     * @param region         the SigV4 signing region
     * @param service        the SigV4 signing name
     * @param requestTimeout the limit on one attempt, from sending to the end of the response
     * @param clock          the signing clock
     */
    public record Settings(
            URI endpoint,
            String region,
            String service,
            CredentialsProvider credentials,
            RetryPolicy retryPolicy,
            Duration requestTimeout,
            HttpClient httpClient,
            Clock clock,
            String userAgent) {
        public Settings {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(credentials, "credentials");
            Objects.requireNonNull(retryPolicy, "retryPolicy");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(httpClient, "httpClient");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(userAgent, "userAgent");
            if (endpoint.getScheme() == null || endpoint.getHost() == null) {
                throw new IllegalArgumentException("Endpoint must be an absolute http(s) URI: " + endpoint);
            }
        }
    }

    private final Settings settings;
    private final SigV4Signer signer;
    private final String base;

    public HttpTransport(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.signer = new SigV4Signer(settings.service(), settings.region());
        URI e = settings.endpoint();
        String path = e.getRawPath() == null ? "" : e.getRawPath();
        this.base = e.getScheme() + "://" + e.getRawAuthority()
                + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Sends with retries and returns the last response, successful or not.
     *
     * @throws UncheckedIOException when the last attempt got no response (or the thread was interrupted,
     *                              with an {@link InterruptedIOException} as cause and the interrupt flag set)
     */
    public WireResponse send(WireRequest request) {
        URI uri = uri(request);
        RetryPolicy policy = settings.retryPolicy();
        for (int attempt = 1; ; attempt++) {
            try {
                WireResponse response = wrap(
                        settings.httpClient().send(prepare(request, uri), HttpResponse.BodyHandlers.ofByteArray()));
                if (attempt >= policy.maxAttempts() || !retryable(response)) {
                    return response;
                }
            } catch (IOException e) {
                if (attempt >= policy.maxAttempts()) {
                    throw failure(request, attempt, e);
                }
            } catch (InterruptedException e) {
                throw interrupted(request, e);
            }
            try {
                Thread.sleep(policy.backoffMillis(attempt));
            } catch (InterruptedException e) {
                throw interrupted(request, e);
            }
        }
    }

    /** As {@link #send}, without blocking: waits between attempts run on a timer, not on the caller's thread. */
    public CompletableFuture<WireResponse> sendAsync(WireRequest request) {
        return attempt(request, uri(request), 1);
    }

    private CompletableFuture<WireResponse> attempt(WireRequest request, URI uri, int attempt) {
        HttpRequest http;
        try {
            http = prepare(request, uri);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        RetryPolicy policy = settings.retryPolicy();
        return settings.httpClient()
                .sendAsync(http, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (error == null) {
                        WireResponse w = wrap(response);
                        if (attempt >= policy.maxAttempts() || !retryable(w)) {
                            return CompletableFuture.completedFuture(w);
                        }
                    } else {
                        Throwable cause = unwrap(error);
                        if (!(cause instanceof IOException)) {
                            return CompletableFuture.<WireResponse>failedFuture(cause);
                        }
                        if (attempt >= policy.maxAttempts()) {
                            return CompletableFuture.<WireResponse>failedFuture(
                                    failure(request, attempt, (IOException) cause));
                        }
                    }
                    return CompletableFuture.runAsync(
                                    () -> {},
                                    CompletableFuture.delayedExecutor(
                                            policy.backoffMillis(attempt), TimeUnit.MILLISECONDS))
                            .thenCompose(ignored -> attempt(request, uri, attempt + 1));
                })
                .thenCompose(f -> f);
    }

    private static boolean retryable(WireResponse response) {
        if (response.successful()) {
            return false;
        }
        int status = response.status();
        // Only a 4xx that is not 429 needs the error code, and only to spot a ThrottlingException.
        return RetryPolicy.retryable(status, status == 429 || status >= 500 ? null : RestJson.errorCode(response));
    }

    private URI uri(WireRequest request) {
        return URI.create(base + request.target());
    }

    private HttpRequest prepare(WireRequest request, URI uri) {
        AwsCredentials credentials = settings.credentials().resolveCredentials();
        Map<String, String> auth = signer.sign(
                request.method(),
                uri,
                request.headers(),
                request.body(),
                credentials,
                settings.clock().instant());
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(settings.requestTimeout())
                .method(
                        request.method(),
                        request.body() == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        for (Map.Entry<String, List<String>> h : request.headers().entrySet()) {
            for (String v : h.getValue()) {
                b.header(h.getKey(), v);
            }
        }
        auth.forEach(b::header);
        b.header("User-Agent", settings.userAgent());
        return b.build();
    }

    private static WireResponse wrap(HttpResponse<byte[]> response) {
        byte[] body = response.body();
        return new WireResponse(response.statusCode(), response.headers(), body == null ? new byte[0] : body);
    }

    private UncheckedIOException failure(WireRequest request, int attempts, IOException cause) {
        return new UncheckedIOException(
                "No response from " + base + " to " + request.method() + " "
                        + request.path() + " after " + attempts + (attempts == 1 ? " attempt" : " attempts")
                        + ": " + cause,
                cause);
    }

    private UncheckedIOException interrupted(WireRequest request, InterruptedException e) {
        Thread.currentThread().interrupt();
        InterruptedIOException cause =
                new InterruptedIOException("Interrupted during " + request.method() + " " + request.path());
        cause.initCause(e);
        return new UncheckedIOException(cause);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
