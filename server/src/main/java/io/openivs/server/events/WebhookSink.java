package io.openivs.server.events;

import io.openivs.server.resource.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;

/**
 * POSTs each event envelope to a URL, at least once: a non-2xx answer or a
 * connection error is retried with exponential backoff (0.5 s doubling, up to
 * {@code maxAttempts}). With a secret, the header
 * {@code X-Openivs-Signature: sha256=<hex HMAC-SHA256 of the body>} lets the
 * receiver check the sender. Runs on the event bus thread, so events stay in
 * order; a receiver that is down delays later events rather than reordering them.
 */
public final class WebhookSink implements EventSink {
    public static final String SIGNATURE_HEADER = "X-Openivs-Signature";
    private static final Logger log = LoggerFactory.getLogger(WebhookSink.class);

    private final URI url;
    private final byte[] secret;
    private final int maxAttempts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public WebhookSink(URI url, String secret, int maxAttempts) {
        this.url = url;
        this.secret = secret == null || secret.isEmpty() ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.maxAttempts = maxAttempts;
    }

    static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void publish(IvsEvent event) {
        byte[] body = Json.write(event.envelope()).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            b.header(SIGNATURE_HEADER, sign(secret, body));
        }
        HttpRequest request = b.build();
        long backoff = 500;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    return;
                }
                log.debug("webhook {} answered {} to {}", url, status, event.eventName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.debug("webhook {} failed: {}", url, e.toString());
            }
            if (attempt < maxAttempts) {
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
        log.warn("webhook {} gave up on event {} ({}) after {} attempts", url, event.id(), event.eventName(), maxAttempts);
    }

    @Override
    public String toString() {
        return "webhook " + url;
    }
}
