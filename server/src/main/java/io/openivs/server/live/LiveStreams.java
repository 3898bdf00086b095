package io.openivs.server.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.control.spi.LiveControl;
import io.openivs.server.events.EventBus;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.ingest.FrameSession;
import io.openivs.server.ingest.rtmp.PublishAuthorizer;
import io.openivs.server.ingest.rtmp.PublishRefusedException;
import io.openivs.server.ingest.rtmp.PublishSession;
import io.openivs.server.ingest.srt.SrtAccess;
import io.openivs.server.ingest.srt.SrtIngest;
import io.openivs.server.ingest.srt.StreamIdSyntax;
import io.openivs.server.playback.LiveRendition;
import io.openivs.server.playback.PlaybackSource;
import io.openivs.server.recording.Recordings;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.ChannelSettings;
import io.openivs.server.resource.Fields;
import io.openivs.server.resource.Ids;
import io.openivs.server.resource.Json;
import io.openivs.server.resource.Lookups;
import io.openivs.server.resource.StreamSessions;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StoredResource;
import io.openivs.server.store.StreamSessionRow;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live streams of this node: admits publishers (RTMP's authorizer), finds them for playback
 * and lets the control API stop them. Store work runs on {@code workers}, never on an event loop.
 *
 * <p>Just past 500 lines: admission (RTMP and SRT), the playback lookup and the housekeeping of this
 * node's sessions share one map of live streams and the hops between workers and owner loops.
 */
public final class LiveStreams implements LiveControl, PublishAuthorizer, PlaybackSource {
    private static final Logger log = LoggerFactory.getLogger(LiveStreams.class);

    final ResourceStore store;
    final Executor workers;
    final ScheduledExecutorService scheduler;
    final Clock clock;
    final EventBus events;
    private final String region;
    private final Recordings recordings;
    private final String node;
    private final ConcurrentHashMap<String, LiveStream> byChannel = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LiveStream> byStreamId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LiveStream> byPlaybackName = new ConcurrentHashMap<>();
    /** Playlists of publishers that went away, by channel ARN, kept for a reconnect to continue. */
    private final ConcurrentHashMap<String, Parked> parked = new ConcurrentHashMap<>();
    /** How long a dropped publisher's playlist waits for its reconnect. */
    static final long RECONNECT_WINDOW_MS = 30_000;
    /** Longest wait between attempts to write a session's end while the store fails. */
    static final long END_RETRY_MAX_MS = 5_000;

    private final AtomicBoolean heartbeats = new AtomicBoolean();
    /** Set when the server starts shutting down: publishers are refused from then on. */
    private volatile boolean closing;

    private volatile TranscodeSlots transcoding = TranscodeSlots.OFF;
    /** A tick's batch waits for a worker or runs: a slow store skips ticks rather than queueing them. */
    private final AtomicBoolean batchPending = new AtomicBoolean();
    /** Heartbeats are written one batch at a time, so a stream's rows are never written out of order. */
    private final Object beatLock = new Object();

    /**
     * @param node this node's id, stored with each session it owns
     * @param scheduler only triggers heartbeats; their store work goes to {@code workers}
     * @param recordings records streams of channels with a recording configuration; null for none
     */
    public LiveStreams(
            ResourceStore store,
            String region,
            String node,
            Executor workers,
            ScheduledExecutorService scheduler,
            Clock clock,
            EventBus events,
            Recordings recordings) {
        this.recordings = recordings;
        this.events = events;
        this.store = store;
        this.region = region;
        this.node = node;
        this.workers = workers;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** Whether streams admitted from now on are transcoded, and how many at once. Before publishers come. */
    public void transcoding(TranscodeSlots slots) {
        this.transcoding = slots;
    }

    /**
     * At start, before the ingest listeners open: ends the sessions a previous run of this node left
     * open (killed mid-stream) and sends their owed events. Returns how many it ended.
     */
    public int endOrphanedSessions() {
        try {
            return OrphanedSessions.end(store, node, events);
        } catch (RuntimeException e) {
            log.warn("could not end the sessions a previous run left open (the stale sweep will): {}", e.toString());
            return 0;
        }
    }

    /**
     * Housekeeping: ends the sessions whose node stopped sending heartbeats (it died) at their last
     * heartbeat, with their owed Session Ended and Stream End, so the channel is free and its webhooks
     * hear of the end even if that node never comes back. Returns how many it ended.
     */
    public int endStaleSessions() {
        return OrphanedSessions.endStale(
                store, events, clock.millis() - StreamSessions.STALE_MS, byStreamId::containsKey);
    }

    /** RTMP's publishers: FLV tags demuxed in front of the stream's frame input. */
    @Override
    public CompletionStage<PublishSession> authorize(
            String app, String streamName, boolean secure, InetSocketAddress remote) {
        return publish(streamName, secure).thenApply(RtmpPublish::new);
    }

    /**
     * Admits a publisher of any protocol: completes with the stream's {@link FrameSession}, which the
     * protocol's demuxer feeds, or fails with {@link PublishRefusedException} (its message is safe to show).
     *
     * @param secure whether the connection is encrypted (a channel may refuse plain ingest)
     */
    public CompletionStage<FrameSession> publish(String streamKey, boolean secure) {
        try {
            return CompletableFuture.supplyAsync(() -> admit(streamKey, secure), workers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new PublishRefusedException("server busy"));
        }
    }

    /**
     * SRT's door into this registry: a caller's stream id is looked up on a worker (its answer says whether
     * the caller must encrypt, and with which passphrase), and an accepted caller publishes like RTMP's.
     */
    public SrtIngest srt() {
        return new SrtIngest() {
            @Override
            public CompletableFuture<Optional<SrtAccess>> authorize(String streamId, InetSocketAddress peer) {
                Optional<String> key = StreamIdSyntax.publishResource(streamId);
                if (key.isEmpty()) {
                    return CompletableFuture.completedFuture(Optional.empty());
                }
                try {
                    return CompletableFuture.supplyAsync(() -> srtAccess(key.get()), workers);
                } catch (RejectedExecutionException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }

            @Override
            public Session open(SrtCaller caller, Link link) {
                String key = StreamIdSyntax.publishResource(caller.streamId()).orElseThrow();
                SrtPublish publisher = new SrtPublish(link, caller);
                publish(key, true).whenComplete((session, refusal) -> {
                    try {
                        link.executor().execute(() -> publisher.admitted(session, refusal));
                    } catch (RejectedExecutionException e) {
                        if (session != null) {
                            session.closed("shutting down");
                        }
                    }
                });
                return publisher;
            }
        };
    }

    /**
     * Worker: how a stream key may publish over SRT. Encrypted with the channel's {@code srt.passphrase}, or
     * unencrypted on a channel with insecure ingest (Amazon IVS User Guide, "Stream Ingest": SRT); and whether
     * the channel is live here already.
     */
    private Optional<SrtAccess> srtAccess(String streamKey) {
        try {
            StoredResource channel = channelOf(streamKey);
            ObjectNode channelDoc = Json.parseObject(channel.doc());
            SrtAccess access;
            if (ChannelSettings.of(channelDoc).insecureIngest()) {
                access = SrtAccess.insecure();
            } else {
                String passphrase = channelDoc.path("srt").path("passphrase").asText("");
                if (passphrase.isEmpty()) {
                    return Optional.empty();
                }
                access = SrtAccess.passphrase(passphrase);
            }
            // A first answer for a second publisher (admit() still decides races): refused in the handshake.
            return Optional.of(byChannel.containsKey(channel.arn()) ? access.alreadyPublished() : access);
        } catch (PublishRefusedException e) {
            return Optional.empty();
        }
    }

    /** Worker: the channel a stream key of this region belongs to, or a refusal. */
    private StoredResource channelOf(String streamKey) {
        byte[] presented = streamKey.getBytes(StandardCharsets.UTF_8);
        StoredResource key = store.read(tx -> tx.byLookup(Arn.STREAM_KEY, Lookups.streamKey(streamKey)))
                .orElseThrow(() -> new PublishRefusedException("invalid stream key"));
        ObjectNode keyDoc = Json.parseObject(key.doc());
        // The lookup is a digest; compare the value itself too, in constant time.
        if (!MessageDigest.isEqual(keyDoc.path(Fields.VALUE).asText("").getBytes(StandardCharsets.UTF_8), presented)) {
            throw new PublishRefusedException("invalid stream key");
        }
        if (!region.equals(key.region())) {
            throw new PublishRefusedException("stream key belongs to another region");
        }
        String channelArn = keyDoc.path(Fields.CHANNEL_ARN).asText();
        return store.read(tx -> tx.get(channelArn)).orElseThrow(() -> new PublishRefusedException("channel not found"));
    }

    /** Runs on a worker: the key, its channel and the one-publisher rule, then the session row. */
    private FrameSession admit(String streamKey, boolean secure) {
        if (closing) {
            throw new PublishRefusedException("server shutting down");
        }
        StoredResource channel = channelOf(streamKey);
        String channelArn = channel.arn();
        ObjectNode channelDoc = Json.parseObject(channel.doc());
        ChannelSettings settings = ChannelSettings.of(channelDoc);
        if (!secure && !settings.insecureIngest()) {
            throw new PublishRefusedException("this channel accepts RTMPS only");
        }
        Arn arn = Arn.parse(channelArn);
        String playbackName = arn.region() + "." + arn.account() + ".channel." + arn.id();
        long now = clock.millis();
        String streamId = Ids.streamId(now);
        LiveStream stream = new LiveStream(host, streamId, channelArn, playbackName, channelDoc);
        if (byChannel.putIfAbsent(channelArn, stream) != null) {
            stream.discard();
            throw new PublishRefusedException("the channel already has a live publisher");
        }
        try {
            StreamSessionRow row = new StreamSessionRow(
                    streamId,
                    channelArn,
                    channel.account(),
                    channel.region(),
                    now,
                    null,
                    node,
                    now,
                    false,
                    false,
                    stream.firstDocument());
            Boolean followsOtherNode = store.write(tx -> {
                if (tx.liveSession(channelArn, now - StreamSessions.STALE_MS).isPresent()) {
                    return null; // live on another node
                }
                List<StreamSessionRow> last = tx.sessions(channelArn, null, null, 1);
                tx.insertSession(row);
                return !last.isEmpty()
                        && OrphanedSessions.droppedElsewhere(last.get(0), node, now, RECONNECT_WINDOW_MS);
            });
            if (followsOtherNode == null) {
                throw new PublishRefusedException("the channel already has a live publisher");
            }
            if (followsOtherNode && !parked.containsKey(channelArn)) {
                stream.followLostPlaylist();
            }
        } catch (RuntimeException e) {
            byChannel.remove(channelArn, stream);
            stream.discard();
            throw e;
        }
        Parked previous = parked.remove(channelArn);
        if (previous != null) {
            stream.continuePlaylist(previous);
        }
        byStreamId.put(streamId, stream);
        byPlaybackName.put(playbackName, stream);
        stream.emit("Session Created", null);
        if (recordings != null) {
            stream.recordTo(recordings.open(channelArn, settings, streamId));
        }
        log.info("stream {} admitted for {} (tls={})", streamId, stream.channelLabel, secure);
        return stream;
    }

    /** What each stream asks of this registry. */
    private final StreamHost host = new StreamHost() {
        @Override
        public long now() {
            return clock.millis();
        }

        @Override
        public EventBus events() {
            return events;
        }

        @Override
        public void heartbeats(LiveStream stream) {
            startHeartbeats();
        }

        @Override
        public void beatNow(LiveStream stream) {
            LiveStreams.this.beatNow(stream);
        }

        @Override
        public void park(String channelArn, Parked playlists) {
            LiveStreams.this.park(channelArn, playlists);
        }

        @Override
        public TranscodeSlots transcoding() {
            return transcoding;
        }

        @Override
        public void closed(LiveStream stream) {
            try {
                workers.execute(() -> end(stream));
            } catch (RuntimeException e) {
                forget(stream); // shutting down: the stale-session sweep ends the row
            }
        }
    };

    /** Worker: writes the end of the session, then frees the channel for its next publisher. */
    private void end(LiveStream stream) {
        // Remembered before the last document is written so truncatedEvents lists them; published after.
        List<IvsEvent> last = stream.lastEvents();
        String doc = stream.lastDocument();
        endSession(stream, clock.millis(), doc, last, 0);
    }

    /**
     * Worker: the ended row first, then its events, each once: while the store fails the write is retried
     * and nothing is sent; a process that dies (or stops) meanwhile leaves the row open, and its next start
     * ends it and sends them ({@link #endOrphanedSessions}). The channel stays taken until the row is ended.
     */
    private void endSession(LiveStream stream, long endTime, String doc, List<IvsEvent> last, int attempt) {
        try {
            // False when it was already ended (a commit whose answer was lost, or the stale sweep): send them now.
            store.write(tx -> tx.endSession(stream.streamId, endTime, stream.hasError(), doc));
        } catch (RuntimeException e) {
            long delay = Math.min(END_RETRY_MAX_MS, 500L << Math.min(attempt, 4));
            log.warn(
                    "could not end stream session {} of {} ({}); retrying in {} ms",
                    stream.streamId,
                    stream.channelLabel,
                    e.toString(),
                    delay);
            try {
                scheduler.schedule(
                        () -> {
                            try {
                                workers.execute(() -> endSession(stream, endTime, doc, last, attempt + 1));
                            } catch (RejectedExecutionException stopping) {
                                forget(stream); // the next start ends the row and sends the events
                            }
                        },
                        delay,
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                forget(stream);
            }
            return;
        }
        last.forEach(events::publish);
        forget(stream);
    }

    /** Keeps a dropped publisher's playlist for {@link #RECONNECT_WINDOW_MS}, then releases it. */
    void park(String channelArn, Parked continuation) {
        Parked replaced = parked.put(channelArn, continuation);
        if (replaced != null) {
            replaced.release();
        }
        try {
            scheduler.schedule(
                    () -> {
                        if (parked.remove(channelArn, continuation)) {
                            continuation.release();
                        }
                    },
                    RECONNECT_WINDOW_MS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            if (parked.remove(channelArn, continuation)) {
                continuation.release(); // shutting down
            }
        }
    }

    /**
     * From the first publisher on: every {@link LiveStream#HEARTBEAT_MS}, one transaction refreshes the
     * session rows of all live streams (one timer and one commit per node rather than per stream).
     */
    void startHeartbeats() {
        if (heartbeats.compareAndSet(false, true)) {
            try {
                scheduler.scheduleWithFixedDelay(
                        this::tick, LiveStream.HEARTBEAT_MS, LiveStream.HEARTBEAT_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                log.debug("heartbeats not started: {}", e.toString()); // shutting down
            }
        }
    }

    private void tick() {
        if (!batchPending.compareAndSet(false, true)) {
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    beat(null);
                } finally {
                    batchPending.set(false);
                }
            });
        } catch (RuntimeException e) {
            batchPending.set(false);
            log.debug("heartbeat skipped: {}", e.toString());
        }
    }

    /** Any thread: a heartbeat for {@code stream} alone, now rather than at the next tick. */
    void beatNow(LiveStream stream) {
        try {
            workers.execute(() -> beat(stream));
        } catch (RuntimeException e) {
            log.debug("heartbeat of {} skipped: {}", stream.streamId, e.toString());
        }
    }

    /** Worker: the heartbeat of {@code only}, or of every live stream when null. */
    private void beat(LiveStream only) {
        synchronized (beatLock) {
            List<StreamBeat> beats = new ArrayList<>();
            for (LiveStream s : only != null ? List.of(only) : byStreamId.values()) {
                StreamBeat b = s.beat();
                if (b != null) {
                    beats.add(b);
                }
            }
            if (beats.isEmpty()) {
                return;
            }
            try {
                store.write(tx -> {
                    beats.forEach(b -> b.write(tx));
                    return null;
                });
            } catch (RuntimeException e) {
                log.warn("heartbeat of {} stream(s) failed: {}", beats.size(), e.toString());
                return;
            }
            beats.forEach(StreamBeat::apply);
        }
    }

    /** After the session row is ended, so a reconnecting publisher is not refused by its own old session. */
    void forget(LiveStream stream) {
        byStreamId.remove(stream.streamId, stream);
        byPlaybackName.remove(stream.playbackName, stream);
        byChannel.remove(stream.channelArn, stream);
    }

    /**
     * Shutdown, first step: refuses publishers from now on, and ends every live stream's media, its
     * playlists listing EXT-X-ENDLIST while playback still serves them. Waits for that until
     * {@code deadlineNanos} ({@link System#nanoTime}); returns how many streams were live.
     */
    public int finishAll(long deadlineNanos) {
        closing = true;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (LiveStream s : byChannel.values()) {
            done.add(s.finish());
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            log.warn("shutdown: not every stream's playlist was ended in time ({})", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return done.size();
    }

    /**
     * Shutdown, second step: disconnects every publisher, then waits until each session's end is in
     * the store and its last events are published, or {@code deadlineNanos}. Returns how many are left.
     */
    public int stopAll(long deadlineNanos) throws InterruptedException {
        closing = true;
        for (LiveStream s : byChannel.values()) {
            s.stop("server shutting down");
        }
        while (!byChannel.isEmpty() && System.nanoTime() < deadlineNanos) {
            Thread.sleep(20);
        }
        return byChannel.size();
    }

    /** One live stream as metrics show it: ingest bits a second (both tracks), video frames a second, viewers. */
    public record Stats(String channelName, String channelArn, long bitrate, double frameRate, int viewers) {}

    /** This node's live streams, as of their last heartbeats. */
    public List<Stats> stats() {
        List<Stats> out = new java.util.ArrayList<>(byChannel.size());
        for (LiveStream s : byChannel.values()) {
            out.add(s.stats());
        }
        return out;
    }

    @Override
    public LiveRendition find(String channelName) {
        LiveStream s = byPlaybackName.get(channelName);
        return s == null ? null : s.playback();
    }

    @Override
    public void stopRequested(String streamId) {
        LiveStream s = byStreamId.get(streamId);
        if (s != null) {
            s.stop("StopStream");
        }
    }

    @Override
    public boolean putMetadata(String streamId, String text) {
        LiveStream s = byStreamId.get(streamId);
        return s != null && s.putMetadata(text);
    }

    @Override
    public boolean insertAdBreak(String streamId, String adBreakId, int durationSeconds) {
        LiveStream s = byStreamId.get(streamId);
        return s != null && s.insertAdBreak(adBreakId, durationSeconds);
    }
}
