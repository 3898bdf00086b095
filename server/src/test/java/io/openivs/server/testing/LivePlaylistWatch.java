package io.openivs.server.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A viewer that reloads a live TS media playlist every half second on a thread of its own and keeps what it
 * saw: each segment number with its URI, reloads that failed, whether a discontinuity was ever listed, and
 * whether the media sequence ever went backwards (which an hls.js-like client cannot follow). Started with
 * {@link #startFetching} it also downloads each segment once, as a player would, and counts a failed
 * download as a failure.
 */
public final class LivePlaylistWatch implements AutoCloseable {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI media;
    private final Thread thread;
    private final NavigableMap<Long, URI> segments = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private boolean discontinuity;
    private final boolean fetch;
    private long mediaSequence = -1;
    private final List<String> backwards = new ArrayList<>();
    private long fetchedUpTo = -1;
    private volatile boolean running = true;

    /** Watches the first variant of {@code master}; waits (up to 30 s) until it lists a segment. */
    public static LivePlaylistWatch start(URI master) throws InterruptedException {
        return start(master, false);
    }

    /** Like {@link #start}, and downloads every segment listed from the first one seen on. */
    public static LivePlaylistWatch startFetching(URI master) throws InterruptedException {
        return start(master, true);
    }

    private static LivePlaylistWatch start(URI master, boolean fetch) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        URI media = Publishing.await(Duration.ofSeconds(30), () -> {
            String text = get(http, master);
            return master.resolve(text.lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank())
                    .findFirst()
                    .orElseThrow());
        });
        LivePlaylistWatch w = new LivePlaylistWatch(media, fetch);
        Publishing.await(Duration.ofSeconds(30), () -> w.highest() >= 0 ? true : null);
        return w;
    }

    private LivePlaylistWatch(URI media, boolean fetch) {
        this.media = media;
        this.fetch = fetch;
        this.thread = new Thread(this::run, "test-playlist-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private static String get(HttpClient http, URI uri) {
        return send(http, uri, HttpResponse.BodyHandlers.ofString());
    }

    private static <T> T send(HttpClient http, URI uri, HttpResponse.BodyHandler<T> body) {
        try {
            HttpResponse<T> r = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), body);
            if (r.statusCode() != 200) {
                throw new IllegalStateException(uri + ": HTTP " + r.statusCode());
            }
            return r.body();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void run() {
        while (running) {
            try {
                String text = get(http, media);
                List<URI> toFetch = new ArrayList<>();
                synchronized (this) {
                    discontinuity |= text.contains("#EXT-X-DISCONTINUITY");
                    long sequence = text.lines()
                            .filter(l -> l.startsWith("#EXT-X-MEDIA-SEQUENCE:"))
                            .mapToLong(l -> Long.parseLong(
                                    l.substring(l.indexOf(':') + 1).trim()))
                            .findFirst()
                            .orElse(-1);
                    if (sequence < mediaSequence) {
                        backwards.add(mediaSequence + " -> " + sequence);
                    }
                    mediaSequence = Math.max(mediaSequence, sequence);
                    for (String line : text.split("\n")) {
                        if (!line.startsWith("#") && (line.endsWith(".ts") || line.endsWith(".m4s"))) {
                            String name = line.substring(line.lastIndexOf('/') + 1);
                            long seq = Long.parseLong(name.substring(0, name.indexOf('.')));
                            segments.putIfAbsent(seq, media.resolve(line));
                            if (fetch && seq > fetchedUpTo) {
                                fetchedUpTo = seq;
                                toFetch.add(media.resolve(line));
                            }
                        }
                    }
                }
                for (URI segment : toFetch) {
                    if (send(http, segment, HttpResponse.BodyHandlers.ofByteArray()).length == 0) {
                        throw new IllegalStateException(segment + ": empty");
                    }
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    failures.add(e.getMessage());
                }
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The highest segment number listed so far, or -1. */
    public synchronized long highest() {
        return segments.isEmpty() ? -1 : segments.lastKey();
    }

    public synchronized long lowest() {
        return segments.isEmpty() ? -1 : segments.firstKey();
    }

    /** Numbers between the lowest and highest seen that were never listed: a viewer's gap. */
    public synchronized List<Long> missing() {
        List<Long> out = new ArrayList<>();
        if (!segments.isEmpty()) {
            for (long s = segments.firstKey(); s <= segments.lastKey(); s++) {
                if (!segments.containsKey(s)) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    public synchronized URI segment(long seq) {
        return segments.get(seq);
    }

    public synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    /** Each time a reload's EXT-X-MEDIA-SEQUENCE was below an earlier one's, as "before -> after". */
    public synchronized List<String> mediaSequenceWentBack() {
        return List.copyOf(backwards);
    }

    /** The highest EXT-X-MEDIA-SEQUENCE seen, or -1. */
    public synchronized long mediaSequence() {
        return mediaSequence;
    }

    public synchronized boolean sawDiscontinuity() {
        return discontinuity;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(15_000);
    }
}
