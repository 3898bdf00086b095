package io.openivs.server.metrics;

import io.openivs.server.api.ApiRequests;
import io.openivs.server.api.OpsEndpoints;
import io.openivs.server.events.WebhookSink;
import io.openivs.server.ingest.srt.SrtServer;
import io.openivs.server.live.LiveStreams;
import io.openivs.server.net.LatencyHistogram;
import io.openivs.server.playback.PlaybackCounters;
import io.openivs.server.recording.Uploader;
import io.openivs.server.store.ResourceStore;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The node's health, readiness and Prometheus metrics. Every openivs value is read at scrape time from the
 * counters its owner keeps anyway (striped or single-writer increments), so the library never runs on a
 * request or media path; the JVM's come from the library's standard collectors.
 */
public final class ServerMetrics implements OpsEndpoints, AutoCloseable {
    /** How long readiness waits for the store before saying it is not reachable. */
    static final long STORE_TIMEOUT_MS = 2_000;

    private final ResourceStore store;
    private final BooleanSupplier listening;
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    /** One probe at a time: a hung database costs one thread, not one per probe. */
    private final ExecutorService probe = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "openivs-readiness");
        t.setDaemon(true);
        return t;
    });

    private volatile CompletableFuture<Void> pendingProbe;

    /** What the metrics read; any of the counters may be absent (null). */
    public record Sources(
            LiveStreams live,
            PlaybackCounters playback,
            Supplier<Integer> playbackConnections,
            ApiRequests api,
            Uploader uploads,
            List<WebhookSink> webhooks,
            SrtServer srt) {
        /** Without the SRT port's counters. */
        public Sources(
                LiveStreams live,
                PlaybackCounters playback,
                Supplier<Integer> playbackConnections,
                ApiRequests api,
                Uploader uploads,
                List<WebhookSink> webhooks) {
            this(live, playback, playbackConnections, api, uploads, webhooks, null);
        }
    }

    /**
     * @param listening whether every listener is bound and not closing
     * @param sources   what {@code /metrics} shows, or null with metrics turned off
     */
    public ServerMetrics(ResourceStore store, BooleanSupplier listening, Sources sources) {
        this.store = store;
        this.listening = listening;
        this.registry = sources == null ? null : register(sources);
    }

    /** The SRT port: callers, and what unauthenticated handshakes are holding and being refused. */
    private static void srt(PrometheusRegistry r, SrtServer srt) {
        GaugeWithCallback.builder()
                .name("openivs_srt_connections")
                .help("SRT callers connected")
                .callback(cb -> cb.call(srt.connectionCount()))
                .register(r);
        GaugeWithCallback.builder()
                .name("openivs_srt_pending_handshakes")
                .help("SRT handshakes held before acceptance: authorisations in flight and remembered refusals")
                .callback(cb -> cb.call(srt.pendingHandshakes()))
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_srt_refused")
                .help("SRT callers refused (unknown key, wrong passphrase, too many handshakes in flight)")
                .callback(cb -> cb.call(srt.rejectedCount()))
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_srt_throttled_handshakes")
                .help("SRT handshake packets dropped because their source address sent more than its rate")
                .callback(cb -> cb.call(srt.throttledCount()))
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_srt_evicted_handshakes")
                .help("SRT authorisations given up, when all were taken, for a caller from an address holding fewer")
                .callback(cb -> cb.call(srt.evictedCount()))
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_srt_dropped_datagrams")
                .help("Datagrams on the SRT port that were not SRT, not for a known caller, or malformed")
                .callback(cb -> cb.call(srt.garbageCount()))
                .register(r);
    }

    private static PrometheusRegistry register(Sources s) {
        PrometheusRegistry r = new PrometheusRegistry();
        JvmMetrics.builder().register(r);
        String[] channel = {"channel", "channel_arn"};
        GaugeWithCallback.builder()
                .name("openivs_live_streams")
                .help("Live streams on this node")
                .callback(cb -> cb.call(s.live().stats().size()))
                .register(r);
        GaugeWithCallback.builder()
                .name("openivs_stream_viewers")
                .help("Viewers of the last minute (distinct addresses asking for playlists), by channel")
                .labelNames(channel)
                .callback(cb -> s.live().stats().forEach(st -> cb.call(st.viewers(), name(st), st.channelArn())))
                .register(r);
        GaugeWithCallback.builder()
                .name("openivs_stream_ingest_bitrate_bits_per_second")
                .help("Ingest bitrate (audio and video) at the last heartbeat, by channel")
                .labelNames(channel)
                .callback(cb -> s.live().stats().forEach(st -> cb.call(st.bitrate(), name(st), st.channelArn())))
                .register(r);
        GaugeWithCallback.builder()
                .name("openivs_stream_ingest_frames_per_second")
                .help("Ingest video frame rate at the last heartbeat, by channel")
                .labelNames(channel)
                .callback(cb -> s.live().stats().forEach(st -> cb.call(st.frameRate(), name(st), st.channelArn())))
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_playback_segments_served")
                .help("Media segments requested of live streams")
                .callback(cb -> cb.call(s.playback().segments()))
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_playback_parts_served")
                .help("LL-HLS parts requested of live streams")
                .callback(cb -> cb.call(s.playback().parts()))
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_playback_playlists_served")
                .help("Multivariant and media playlists requested of live streams")
                .callback(cb -> cb.call(s.playback().playlists()))
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_cluster_served_to_edges")
                .help("Requests other nodes made of this node's internal endpoint (their upstream fetches), by kind")
                .labelNames("kind")
                .callback(cb -> {
                    for (String kind : new String[] {"playlist", "segment", "part", "init"}) {
                        cb.call(s.playback().servedToEdges(kind), kind);
                    }
                })
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_cluster_edge_fetches")
                .help("Requests this node sent to the owners of streams it relays as an edge")
                .callback(cb -> cb.call(s.playback().edgeFetches()))
                .register(r);
        GaugeWithCallback.builder()
                .name("openivs_playback_connections")
                .help("Open viewer connections")
                .callback(cb -> cb.call(s.playbackConnections().get()))
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_api_requests")
                .help("API requests answered, by operation and status")
                .labelNames("operation", "status")
                .callback(cb -> s.api().forEach((op, status, n) -> cb.call(n, op, Integer.toString(status))))
                .register(r);
        if (s.srt() != null) {
            srt(r, s.srt());
        }
        if (s.uploads() != null) {
            CounterWithCallback.builder()
                    .name("openivs_recording_uploads")
                    .help("Recording objects stored")
                    .callback(cb -> cb.call(s.uploads().stored()))
                    .register(r);
            CounterWithCallback.builder()
                    .name("openivs_recording_upload_failures")
                    .help("Recording upload attempts that failed (each is retried)")
                    .callback(cb -> cb.call(s.uploads().failedAttempts()))
                    .register(r);
            GaugeWithCallback.builder()
                    .name("openivs_recording_upload_queue")
                    .help("Recording objects waiting to be stored")
                    .callback(cb -> cb.call(s.uploads().pending()))
                    .register(r);
        }
        r.register(histograms(
                "openivs_api_request_duration_seconds",
                "API requests from arrival (signature checked) to the answer being written, by operation",
                "operation",
                s.api()::forEachLatency));
        r.register(histograms(
                "openivs_playback_response_duration_seconds",
                "Playback answers from the request's arrival to the answer (its first bytes) being written, by"
                        + " kind: playlist, segment, part, init; LL-HLS blocking reloads include their wait",
                "kind",
                s.playback()::forEachLatency));
        // Labelled by position, not URL: a webhook URL may carry a token.
        String[] hook = {"webhook"};
        CounterWithCallback.builder()
                .name("openivs_webhook_deliveries")
                .help("Events delivered, by webhook (position in --webhook)")
                .labelNames(hook)
                .callback(cb -> eachHook(s, (i, w) -> cb.call(w.delivered(), i)))
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_webhook_failures")
                .help("Failed delivery attempts, by webhook")
                .labelNames(hook)
                .callback(cb -> eachHook(s, (i, w) -> cb.call(w.failedAttempts(), i)))
                .register(r);
        CounterWithCallback.builder()
                .name("openivs_webhook_expired")
                .help("Deliveries dropped after the expiry, by webhook")
                .labelNames(hook)
                .callback(cb -> eachHook(s, (i, w) -> cb.call(w.expired(), i)))
                .register(r);
        GaugeWithCallback.builder()
                .name("openivs_webhook_owed")
                .help("Deliveries still owed (in the outbox), by webhook")
                .labelNames(hook)
                .callback(cb -> eachHook(s, (i, w) -> cb.call(w.owed(), i)))
                .register(r);
        return r;
    }

    /** A family of histograms read at scrape time from {@link LatencyHistogram}s, one per label value. */
    private static Collector histograms(
            String name, String help, String label, Consumer<BiConsumer<String, LatencyHistogram>> source) {
        MetricMetadata metadata = new MetricMetadata(name, help, Unit.SECONDS);
        return new Collector() {
            @Override
            public MetricSnapshot collect() {
                List<HistogramSnapshot.HistogramDataPointSnapshot> points = new ArrayList<>();
                source.accept((value, h) -> points.add(new HistogramSnapshot.HistogramDataPointSnapshot(
                        ClassicHistogramBuckets.of(LatencyHistogram.BOUNDS, h.counts()),
                        h.sumSeconds(),
                        Labels.of(label, value),
                        Exemplars.EMPTY,
                        0L)));
                return new HistogramSnapshot(metadata, points);
            }

            @Override
            public String getPrometheusName() {
                return name;
            }
        };
    }

    private static String name(LiveStreams.Stats st) {
        return st.channelName() == null ? "" : st.channelName();
    }

    private static void eachHook(Sources s, java.util.function.BiConsumer<String, WebhookSink> each) {
        for (int i = 0; i < s.webhooks().size(); i++) {
            each.accept(Integer.toString(i), s.webhooks().get(i));
        }
    }

    @Override
    public String ready() {
        if (!listening.getAsBoolean()) {
            return "not ready: listeners not up";
        }
        CompletableFuture<Void> p = pendingProbe;
        if (p == null || p.isDone()) {
            p = CompletableFuture.runAsync(() -> store.read(tx -> tx.get("arn:openivs:readiness-probe")), probe);
            pendingProbe = p;
        }
        try {
            p.get(STORE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            return "not ready: the store did not answer within " + STORE_TIMEOUT_MS + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not ready: interrupted";
        } catch (Exception e) {
            return "not ready: the store is not reachable";
        }
    }

    @Override
    public byte[] metrics() {
        if (registry == null) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape(), io.prometheus.metrics.config.EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        probe.shutdownNow();
    }
}
