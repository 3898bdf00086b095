package io.openivs.server.events;

import io.openivs.server.resource.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each event envelope to a URL, at least once, in event order. {@link #publish} only stores the
 * delivery in a durable {@link WebhookOutbox} (so the event bus, and the events file with it, never waits
 * on a receiver); a thread of its own delivers the outbox's oldest entry until the receiver answers 2xx,
 * retrying with exponential backoff (0.5 s doubling to 30 s), across restarts, until the delivery is
 * older than {@code expiry} (then dropped with a warning: a receiver gone for a day is not owed a flood).
 * The default expiry is 24 h, as EventBridge's default retry policy for a target. With a secret, the
 * header {@code X-Openivs-Signature: sha256=<hex HMAC-SHA256 of the body>} lets the receiver check the
 * sender. A receiver may see an event twice (a crash between its answer and our delete): events carry an
 * {@code id} to deduplicate on.
 */
public final class WebhookSink implements EventSink {
    public static final String SIGNATURE_HEADER = "X-Openivs-Signature";
    public static final Duration DEFAULT_EXPIRY = Duration.ofHours(24);
    private static final Logger log = LoggerFactory.getLogger(WebhookSink.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final URI url;
    /** The URL as logged: no user info, no query (either may hold a credential). */
    private final String shownUrl;

    private final byte[] secret;
    private final Duration expiry;
    private final WebhookOutbox outbox;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread sender;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private volatile boolean closed;

    /** A webhook whose outbox is {@code <dataDir>/webhook-outbox/<hash of the URL>}. */
    public static WebhookSink inDataDir(URI url, String secret, Path dataDir) {
        return new WebhookSink(url, secret, dataDir.resolve("webhook-outbox").resolve(key(url)), DEFAULT_EXPIRY);
    }

    public WebhookSink(URI url, String secret, Path outboxDir, Duration expiry) {
        this.url = url;
        this.shownUrl = url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
        this.secret = secret == null || secret.isEmpty() ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.expiry = expiry;
        this.outbox = new WebhookOutbox(outboxDir);
        int owed = outbox.size();
        if (owed > 0) {
            log.info("webhook {}: {} deliveries owed from before the restart", shownUrl, owed);
        }
        this.sender = new Thread(this::deliverLoop, "openivs-webhook");
        sender.setDaemon(true);
        sender.start();
    }

    static String key(URI url) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256").digest(url.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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

    /** Event bus thread: stores the delivery (fsynced) and returns; the sender thread posts it. */
    @Override
    public void publish(IvsEvent event) {
        try {
            outbox.append(Json.write(event.envelope()).getBytes(StandardCharsets.UTF_8), event.id());
        } catch (IOException e) {
            throw new UncheckedIOException("webhook " + shownUrl + ": cannot store event " + event.id(), e);
        }
    }

    /**
     * At start, before any event is published: the events of {@code eventsFile} after the last one this
     * webhook stored, stored now. They are the ones a crash took between the events file's write and the
     * outbox's (the file is written first). Only the file's last {@link #CATCH_UP_BYTES} are read; a webhook
     * that never stored an event, or whose last one is not among them, catches up nothing.
     *
     * @return how many deliveries were added
     */
    public int catchUp(Path eventsFile) {
        String last = outbox.lastAppended();
        if (last == null || !Files.exists(eventsFile)) {
            return 0;
        }
        List<String> lines;
        try {
            lines = tail(eventsFile, CATCH_UP_BYTES);
        } catch (IOException e) {
            log.warn("webhook {}: events file {} unreadable for catch-up: {}", shownUrl, eventsFile, e.toString());
            return 0;
        }
        int from = -1;
        for (int i = lines.size() - 1; i >= 0 && from < 0; i--) {
            if (last.equals(idOf(lines.get(i)))) {
                from = i + 1;
            }
        }
        if (from < 0) {
            return 0;
        }
        int added = 0;
        for (String line : lines.subList(from, lines.size())) {
            String id = idOf(line);
            if (id == null) {
                continue; // a line the crash cut short
            }
            try {
                outbox.append(line.getBytes(StandardCharsets.UTF_8), id);
                added++;
            } catch (IOException e) {
                throw new UncheckedIOException("webhook " + shownUrl + ": cannot store event " + id, e);
            }
        }
        if (added > 0) {
            log.info(
                    "webhook {}: {} event(s) of the events file never stored for it (a crash), now owed",
                    shownUrl,
                    added);
        }
        return added;
    }

    /** Bytes of the events file's end that {@link #catchUp} reads. */
    static final int CATCH_UP_BYTES = 1 << 20;

    private static String idOf(String line) {
        try {
            String id = Json.parseObject(line).path("id").asText("");
            return id.isEmpty() ? null : id;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The whole lines within the last {@code bytes} of the file. */
    private static List<String> tail(Path file, int bytes) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long size = ch.size();
            long start = Math.max(0, size - bytes);
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (size - start));
            while (buf.hasRemaining() && ch.read(buf, start + buf.position()) >= 0) {
                // reads until full
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            List<String> lines = new java.util.ArrayList<>(List.of(text.split("\n")));
            if (start > 0 && !lines.isEmpty()) {
                lines.remove(0); // began mid-line
            }
            lines.removeIf(String::isBlank);
            return lines;
        }
    }

    private void deliverLoop() {
        long backoff = 500;
        boolean failing = false;
        while (!closed) {
            try {
                Path next = outbox.oldest(1_000);
                if (next == null) {
                    continue;
                }
                if (tooOld(next)) {
                    expired.incrementAndGet();
                    log.warn(
                            "webhook {}: dropped a delivery owed for over {} ({})",
                            shownUrl,
                            expiry,
                            next.getFileName());
                    outbox.remove(next);
                    continue;
                }
                String failure = post(WebhookOutbox.read(next));
                if (failure == null) {
                    outbox.remove(next);
                    delivered.incrementAndGet();
                    if (failing) {
                        log.info("webhook {}: delivering again", shownUrl);
                        failing = false;
                    }
                    backoff = 500;
                    continue;
                }
                failedAttempts.incrementAndGet();
                if (!failing) {
                    // Once per outage at WARN; each retry at DEBUG.
                    log.warn(
                            "webhook {}: delivery failed ({}); retrying with backoff, {} owed",
                            shownUrl,
                            failure,
                            outbox.size());
                    failing = true;
                } else {
                    log.debug("webhook {}: delivery failed again ({})", shownUrl, failure);
                }
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            } catch (InterruptedException e) {
                return; // closing: what is owed stays in the outbox
            } catch (IOException | RuntimeException e) {
                log.warn("webhook {}: outbox error: {}", shownUrl, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private boolean tooOld(Path file) throws IOException {
        long age = System.currentTimeMillis() - Files.getLastModifiedTime(file).toMillis();
        return age > expiry.toMillis();
    }

    /** Null when the receiver took it (2xx), else why not. */
    private String post(byte[] body) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            b.header(SIGNATURE_HEADER, sign(secret, body));
        }
        try {
            int status =
                    http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status / 100 == 2 ? null : "HTTP " + status;
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        }
    }

    /** Deliveries made since start. */
    public long delivered() {
        return delivered.get();
    }

    /** Attempts that failed since start (each retry counts). */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** Deliveries dropped for being older than the expiry. */
    public long expired() {
        return expired.get();
    }

    /** Deliveries still owed (on disk). */
    public int owed() {
        return outbox.size();
    }

    /** Stops delivering; what is still owed stays in the outbox for the next start. */
    @Override
    public void close() {
        closed = true;
        sender.interrupt();
        try {
            sender.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "webhook " + shownUrl;
    }
}
