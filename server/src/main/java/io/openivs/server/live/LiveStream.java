package io.openivs.server.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.ingest.FrameSession;
import io.openivs.server.ingest.IngestConnection;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.SpliceCue;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.DateRange;
import io.openivs.server.media.hls.LatencyMode;
import io.openivs.server.media.id3.Id3Tag;
import io.openivs.server.media.ladder.Ladders;
import io.openivs.server.media.scte35.SpliceInsert;
import io.openivs.server.net.LogSafe;
import io.openivs.server.recording.StreamRecorder;
import io.openivs.server.resource.ChannelSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publishing channel: the session's lifecycle and the hops onto its owner thread. Media state
 * (its {@link Renditions}) is owned by the publisher's event loop: the publisher's calls arrive there
 * and playback hands its requests there. The heartbeat runs on a worker, batched with the other live
 * streams' by {@link LiveStreams}, and sees only what the owner publishes in {@link StreamHealth} and
 * {@link SessionDocument}. Publishers of any protocol drive it as a {@link FrameSession}.
 */
final class LiveStream implements FrameSession {
    private static final Logger log = LoggerFactory.getLogger(LiveStream.class);
    static final long HEARTBEAT_MS = 2_000;

    final String streamId;
    final String channelArn;
    final String playbackName;
    final String channelName;
    /** The channel as log lines name it: its ARN and, beside it, its name (escaped: any text a customer set). */
    final String channelLabel;

    private final StreamHost host;
    private final SessionDocument document;
    private final StreamEvents events;
    private final StreamHealth health;
    private final IngestPolicy policy;
    private final ReceiveBatching batching;
    private final SegmentTimings timings;
    private final Renditions renditions;
    private final MediaSink input = new Input();
    /** The encoder's own ad breaks (SCTE-35 in an SRT publisher's MPEG-TS). */
    private final EncoderCues encoderCues;
    /** SCTE-35 splice_event_ids, numbered per stream. */
    private final AtomicInteger adBreakEvents = new AtomicInteger();

    // Written by the owner (or a stop from any thread), read by heartbeat and control.
    private volatile IngestConnection connection;
    private volatile boolean stopPending;
    private volatile boolean hasError;
    private volatile boolean refused;
    /** Between started and closed: the registry's heartbeat includes this stream. */
    private volatile boolean beating;

    LiveStream(StreamHost host, String streamId, String channelArn, String playbackName, ObjectNode channelDoc) {
        this.host = host;
        this.streamId = streamId;
        this.channelArn = channelArn;
        this.playbackName = playbackName;
        ChannelSettings channel = ChannelSettings.of(channelDoc);
        SessionEvents remembered = new SessionEvents();
        this.document = new SessionDocument(channelDoc, remembered);
        this.events = new StreamEvents(host.events(), remembered, host::now, channelArn, channel.name(), streamId);
        this.channelName = channel.name();
        this.channelLabel = channelArn + " (" + LogSafe.escape(channel.name()) + ")";
        this.health = new StreamHealth(host::now);
        this.policy = new IngestPolicy(IngestLimits.forChannelType(channel.type()));
        LatencyMode mode = channel.normalLatency() ? LatencyMode.NORMAL : LatencyMode.LOW;
        boolean fragmentedMp4 = channel.fragmentedMp4();
        this.timings = new SegmentTimings(playbackName);
        this.renditions = new Renditions(
                playbackName,
                fragmentedMp4,
                mode,
                host::now,
                health,
                segment -> timings.listed(segment.sequence(), segment.durationTicks()),
                Ladders.listsAudioOnly(channel.type()));
        if (!ChannelSettings.BASIC.equals(channel.type())) {
            renditions.attach(new TranscodedLadder(
                    renditions,
                    streamId + " on " + LogSafe.escape(channel.name()),
                    channel.type(),
                    channel.preset(),
                    host.transcoding(),
                    this::sourceOnly,
                    this::transcoderFailed));
        }
        this.encoderCues = new EncoderCues(Long.toString(host.now(), 36), range -> renditions.onDateRange(range));
        // LL-HLS lists parts as frames arrive, so its receives are never batched.
        this.batching = new ReceiveBatching(mode == LatencyMode.LOW && fragmentedMp4, System::nanoTime);
    }

    /** Worker, on admission: where finished segments go besides live playback. */
    void recordTo(StreamRecorder recorder) {
        renditions.recordTo(recorder);
    }

    /** Worker, before the publisher starts: list on from a dropped predecessor's playlist. */
    void continuePlaylist(Parked previous) {
        renditions.continueFrom(previous);
    }

    /** Worker, before the publisher starts: continue, with a discontinuity, a playlist another node served. */
    void followLostPlaylist() {
        renditions.followLostPlaylist();
    }

    /** Releases what the constructor took, for a stream that was never admitted. */
    void discard() {
        renditions.discard();
    }

    /** The full rendition, once the publisher started (playback needs the owner); else null. Any thread. */
    Rendition playback() {
        return renditions.owner() != null ? renditions.main() : null;
    }

    /** The stream's renditions and consumers: attach a consumer here (owner thread, or before start). */
    Renditions renditions() {
        return renditions;
    }

    // --- FrameSession (owner thread)

    @Override
    public void started(IngestConnection connection) {
        this.connection = connection;
        renditions.start(connection.executor());
        batching.start(
                connection::receiveInBatches,
                (task, delayMs) -> connection.executor().schedule(task, delayMs, TimeUnit.MILLISECONDS));
        synchronized (this) {
            long now = host.now();
            health.start(now);
            policy.start(now);
        }
        beating = true;
        host.heartbeats(this);
        if (stopPending) {
            connection.disconnect("StopStream");
        }
    }

    @Override
    public MediaSink frames() {
        return input;
    }

    @Override
    public boolean accepting() {
        return !refused;
    }

    @Override
    public void arriving() {
        timings.messageArriving();
    }

    @Override
    public void encoder(String name) {
        document.encoder(name);
    }

    @Override
    public void received(TrackType track, long timestampMs, int bytes, boolean keyframe) {
        if (refused) {
            return; // refused while demuxing (a resolution over the limit): none of it counts
        }
        if (health.media(timestampMs)) {
            events.stateChange("Stream Start", null);
            host.beatNow(this); // report HEALTHY now rather than at the next beat
        }
        if (track == TrackType.VIDEO) {
            health.videoBytes(bytes);
        } else {
            health.audioBytes(bytes);
        }
        batching.accepted(timestampMs, keyframe);
    }

    /**
     * Owner thread: a STANDARD or ADVANCED stream plays its source only. Over the node's cap that is a
     * failure of what the channel promises, told in a Stream Failure event as IVS tells its other
     * failures; with transcoding switched off it is the operator's choice, warned about at start and here.
     */
    /** Owner thread: the transcoder child was lost and restarts; the session shows it as IVS shows a failure. */
    private void transcoderFailed(String why) {
        hasError = true; // hasErrorEvent: any failure event (API Reference, StreamSessionSummary)
        events.stateChange("Stream Failure", why);
    }

    /**
     * Over the cap or with transcoding off, the stream goes without the renditions its channel type
     * promises: the session says so as IVS says a stream went wrong, in a Stream Failure event.
     */
    private void sourceOnly(String why, boolean overCap) {
        log.warn("stream {} on {}: {}", streamId, channelLabel, LogSafe.escape(why));
        hasError = true;
        events.stateChange("Stream Failure", why);
    }

    @Override
    public void unsupportedCodec(String codec) {
        if (renditions.ended()) {
            return;
        }
        log.warn("stream {} on {}: unsupported codec {}, disconnecting", streamId, channelLabel, codec);
        hasError = true;
        events.stateChange("Stream Failure", "Unsupported codec " + codec + "; IVS accepts H.264 video and AAC audio.");
        connection.disconnect("unsupported codec " + codec);
    }

    /** The demuxer's output: configs are judged and recorded, then everything goes to the renditions. */
    private final class Input implements MediaSink {
        @Override
        public void onSessionStart() {
            // started() begins the consumers' session.
        }

        @Override
        public void onVideoConfig(VideoConfig config) {
            if (refused) {
                return;
            }
            IngestPolicy.Breach over = policy.resolution(config); // before any segment or Stream Start
            if (over != null) {
                breach(over);
                return;
            }
            document.video(config);
            renditions.onVideoConfig(config);
        }

        @Override
        public void onAudioConfig(AudioConfig config) {
            if (refused) {
                return;
            }
            if (document.audio() == null) {
                document.audio(config);
            }
            renditions.onAudioConfig(config);
        }

        @Override
        public void onFrame(MediaFrame frame) {
            if (!refused) {
                renditions.onFrame(frame);
                encoderCues.reached(frame.pts());
            }
        }

        @Override
        public void onTimedMetadata(TimedMetadata item) {
            renditions.onTimedMetadata(item);
        }

        @Override
        public void onSpliceCue(SpliceCue cue) {
            if (!refused) {
                encoderCues.offer(cue, renditions.livePts());
            }
        }

        @Override
        public void onSessionEnd() {
            // closed() ends the consumers' session.
        }
    }

    @Override
    public void closed(String reason) {
        batching.stop();
        beating = false;
        boolean park = !stopPending && !refused && health.hadMedia(); // dropped, not stopped: a reconnect continues
        Parked playlists = renditions.end(park);
        if (playlists != null) {
            host.park(channelArn, playlists);
        }
        log.info("stream {} on {} ended: {}", streamId, channelLabel, LogSafe.escape(reason));
        host.closed(this);
    }

    // --- control (any thread)

    /** StopStream from this node's API or from the store. */
    void stop(String reason) {
        stopPending = true;
        IngestConnection c = connection;
        if (c != null) {
            c.disconnect(reason);
        }
    }

    /**
     * Shutdown, first step: on the owner thread the stream's media ends and its last playlists list
     * EXT-X-ENDLIST (see {@link Renditions#finish}); the publisher stays connected until {@link #stop}.
     * Completes once done, or at once when the publisher has not started (it is stopped when it does).
     */
    java.util.concurrent.CompletableFuture<Void> finish() {
        stopPending = true; // a stop, not a drop: the playlist is not parked for a reconnect
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        IngestConnection c = connection;
        if (c == null) {
            done.complete(null);
            return done;
        }
        try {
            c.executor().execute(() -> {
                renditions.finish();
                done.complete(null);
            });
        } catch (RejectedExecutionException e) {
            done.complete(null);
        }
        return done;
    }

    /** Hands timed metadata to the owner, which writes it at the live edge. */
    boolean putMetadata(String text) {
        byte[] id3 = Id3Tag.userText(text);
        return onOwner(() -> renditions.onTimedMetadata(new TimedMetadata(renditions.livePts(), id3)));
    }

    /** An SCTE-35 ad break starting at the live edge, announced by an "Ad Break Inserted" event. */
    boolean insertAdBreak(String adBreakId, int durationSeconds) {
        int eventId = adBreakEvents.incrementAndGet();
        long now = host.now();
        DateRange range = new DateRange(
                adBreakId,
                now,
                durationSeconds,
                SpliceInsert.out(eventId, (long) durationSeconds * MediaFrame.CLOCK_RATE));
        if (!onOwner(() -> renditions.onDateRange(range))) {
            return false;
        }
        events.adBreakInserted(adBreakId, durationSeconds, now);
        return true;
    }

    /** Runs {@code task} on the owner thread while the stream is live; false when it is not (yet or any more). */
    private boolean onOwner(Runnable task) {
        IngestConnection c = connection;
        if (c == null || renditions.ended()) {
            return false;
        }
        try {
            c.executor().execute(() -> {
                if (!renditions.ended()) {
                    task.run();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Reports a limit breach and disconnects the publisher; the first breach only. */
    private void breach(IngestPolicy.Breach b) {
        if (refused) {
            return;
        }
        refused = true;
        hasError = true;
        log.warn(
                "stream {} on {}: {} over the limit of {} by {} {}, disconnecting",
                streamId,
                channelLabel,
                b.limit(),
                b.limitValue(),
                b.exceededBy(),
                b.unit());
        events.limitBreach(b);
        IngestConnection c = connection;
        if (c != null) {
            c.disconnect(b.limit().toLowerCase(Locale.ROOT) + " over the channel type's limit");
        }
    }

    // --- heartbeat and the session row (worker)

    /** Publishes an "IVS Stream State Change" event for this stream; {@code reason} for Stream Failure. */
    void emit(String eventName, String reason) {
        events.stateChange(eventName, reason);
    }

    /** Under the registry's heartbeat lock: this stream's share of a heartbeat, or null when it is not live. */
    StreamBeat beat() {
        if (!beating || renditions.ended()) {
            return null;
        }
        long now = host.now();
        return new StreamBeat(this, now, measure(now));
    }

    /** Updates health, bitrates, the limit window and the receive batch; returns the session document. */
    private synchronized String measure(long now) {
        StreamHealth.Reading r = health.measure(now);
        IngestPolicy.Breach over = policy.bitrate(now, health.hadMedia(), health.bytes(), document.video());
        if (over != null) {
            breach(over);
        }
        batching.allow(r.mediaMoved(), health.videoBitrate() + health.audioBitrate());
        return document.write(r.health(), r.viewers(), ingestConfiguration());
    }

    private ObjectNode ingestConfiguration() {
        return document.ingestConfiguration(health.videoBitrate(), health.audioBitrate());
    }

    /** What metrics show of this stream, as of its last heartbeat. */
    LiveStreams.Stats stats() {
        return new LiveStreams.Stats(
                channelName,
                channelArn,
                health.videoBitrate() + health.audioBitrate(),
                health.frameRate(),
                health.viewers());
    }

    /** The document of a session that has no media yet (its row on admission). */
    String firstDocument() {
        return document.write(StreamHealth.UNKNOWN, 0, null);
    }

    boolean hasError() {
        return hasError;
    }

    /**
     * The session's last events, remembered now so the last document lists them; the caller
     * publishes them after writing it. IVS may deliver Session Ended before Stream End; openivs
     * sends them in this order.
     */
    List<IvsEvent> lastEvents() {
        List<IvsEvent> last = new ArrayList<>(2);
        last.add(events.stateChangeLater("Session Ended", null));
        if (health.hadMedia()) {
            last.add(events.stateChangeLater("Stream End", null));
        }
        return last;
    }

    /** The session row's last document. */
    synchronized String lastDocument() {
        return document.write(StreamHealth.UNKNOWN, 0, ingestConfiguration());
    }
}
