package io.openivs.server.live;

import io.openivs.server.resource.Arn;
import io.openivs.server.events.IvsEvent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.openivs.server.resource.Json;
import io.openivs.server.ingest.rtmp.PublishSession;
import io.openivs.server.ingest.rtmp.PublisherControl;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.DateRange;
import io.openivs.server.media.id3.Id3Tag;
import io.openivs.server.media.scte35.SpliceInsert;
import io.openivs.server.media.SegmentWriter;
import io.openivs.server.media.fmp4.AudioOnlySegmentWriter;
import io.openivs.server.media.fmp4.Fmp4SegmentWriter;
import io.openivs.server.media.flv.FlvToFrames;
import io.openivs.server.media.flv.TagResult;
import io.openivs.server.media.hls.LatencyMode;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.PartFollower;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.Segmenter;
import io.openivs.server.media.hls.SegmenterConfig;
import io.openivs.server.media.ts.TsSegmentWriter;
import io.openivs.server.playback.LiveRendition;
import io.openivs.server.playback.PlaybackWindow;
import io.openivs.server.recording.StreamRecorder;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StreamCue;
import io.openivs.server.store.StreamSessionRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One publishing channel. Media state (demuxer, segmenter, segments) is owned by the publisher's
 * event loop: RTMP calls arrive there and playback hands its requests there. The heartbeat runs on
 * a worker, batched with the other live streams' by {@link LiveStreams}, and sees only the volatile
 * counters the owner publishes.
 */
final class LiveStream implements PublishSession, LiveRendition {
    private static final Logger log = LoggerFactory.getLogger(LiveStream.class);
    static final long HEARTBEAT_MS = 2_000;
    private static final long VIEWER_WINDOW_MS = 60_000;
    /** Stands for viewers whose address is unknown (all counted as one): the wildcard, which no peer has. */
    private static final InetAddress UNKNOWN_VIEWER = new InetSocketAddress(0).getAddress();
    /** Ingest bitrate is judged on this average, so a keyframe burst alone is no breach. */
    private static final long BITRATE_WINDOW_MS = 10_000;
    /**
     * How much of the newest media the publisher's socket may gather before the event loop wakes for it
     * (PublisherControl#receiveInBatches): a few frames' time, rounded down to a power of two (16 KiB
     * from about 0.8 Mbps, 8 KiB from 0.4). No viewer sees a frame before its segment is listed, and the
     * keyframe that ends a segment comes while nothing is batched (see {@link #batchReceives}), so only
     * LL-HLS (parts) would notice, and those channels are not batched (bench/ingest README has the
     * figures).
     */
    static final long RECEIVE_BATCH_MS = 160;
    static final int MAX_RECEIVE_BATCH = 16 * 1024;
    /** Receives are not batched from this long before the next keyframe is due until it is here. */
    static final long KEYFRAME_GUARD_MS = 150;
    /** While batching, at least this often: is media still coming, is a keyframe due? */
    static final long HOLD_CHECK_MS = 1000;
    /** LL-HLS part target: about a third of a second (ten frames at 30 fps). */
    static final Duration PART_TARGET = Duration.ofMillis(1000 / 3 + 1);
    /**
     * Where segment bytes live. They stay for the live window (~12 s) while RTMP and frame buffers live
     * for microseconds; Netty's default adaptive allocator carves both from the same chunks, which the
     * long-lived segments then keep from being reused. The size-classed pooled allocator frees each
     * segment's run on its own (bench/ingest: RSS per stream at 50 streams from ~3.2 to ~2.2 MiB).
     */
    private static final ByteBufAllocator SEGMENT_MEMORY = PooledByteBufAllocator.DEFAULT;

    final String streamId;
    final String channelArn;
    final String playbackName;
    private final LiveStreams registry;
    private final ObjectNode channelDoc;
    private final IngestLimits limits;
    private final SessionEvents sessionEvents = new SessionEvents();

    private final boolean fragmentedMp4;
    /** LL-HLS: parts are listed as frames arrive, so receives are never batched. */
    private final boolean lowLatency;

    // Owner thread.
    private final Segmenter segmenter;
    private final FlvToFrames demuxer;
    private final SegmentTimings timings;
    private volatile boolean ended;
    /** What playback answers from without the owner thread; republished whenever a segment is finished. */
    private volatile PlaybackWindow window;
    /** Requests waiting for the next part or segment (blocking reloads). */
    private final List<Runnable> waiting = new ArrayList<>();
    /** Set once on admission, before any media. */
    private volatile StreamRecorder recorder = StreamRecorder.NONE;
    /** fMP4 channels only, while recording: TS segments for the recording. Set with the recorder. */
    private volatile Segmenter recordingSegmenter;
    /** LL-HLS channels only: the audio track as a rendition of its own, cut where {@link #segmenter} cuts. */
    private final Segmenter audioSegmenter;
    private final AudioOnly audioOnly;
    /** Whether {@link #audioOnly} is listed: the newest segment has video and audio. Written by the owner. */
    private volatile boolean audioListed;
    /**
     * Owner thread, with two segmenters: a part or segment finished while a frame went to one of
     * them. Waiters and the window are told once both have it, so a playlist made then reports the
     * other rendition at the same point.
     */
    private boolean changePending;
    private boolean windowPending;

    // Written by the owner, read by heartbeat and playback.
    private volatile PublisherControl control;
    private volatile EventExecutor owner;
    private volatile boolean stopPending;
    private volatile boolean hasError;
    private volatile long lastMediaMs = -1;
    private volatile long videoBytes;
    private volatile long audioBytes;
    private volatile VideoConfig video;
    private volatile AudioConfig audio;
    private volatile String encoder = "";
    private volatile boolean refused;
    /** Between started and closed: the registry's heartbeat includes this stream. */
    private volatile boolean beating;

    /** Viewer address (UNKNOWN_VIEWER when none) to when it last asked for a playlist. */
    private final Map<InetAddress, Long> viewers = new ConcurrentHashMap<>();

    // SCTE-35 splice_event_ids, numbered per stream.
    private final AtomicInteger adBreakEvents = new AtomicInteger();

    // Heartbeat state, guarded by this.
    private long beatAt;
    private long beatMediaMs = -1;
    private long beatVideoBytes;
    private long beatAudioBytes;
    private long videoBitrate;
    private long audioBitrate;
    private long limitWindowAt;
    private long limitWindowBytes;
    /** The receive batch the measured bitrate allows (0: none); written by the heartbeat. */
    private volatile int batchAllowed;

    // Owner thread: receive batching around keyframes.
    private long lastKeyframeMs = -1;
    private long keyframeIntervalMs = -1;
    /** System.nanoTime() from which the next keyframe may come (its interval less the guard). */
    private long keyframeDueNanos;
    private int batchApplied;
    private ScheduledFuture<?> holdCheck;
    private boolean mediaSinceCheck;

    LiveStream(LiveStreams registry, String streamId, String channelArn, String playbackName, ObjectNode channelDoc) {
        this.registry = registry;
        this.streamId = streamId;
        this.channelArn = channelArn;
        this.playbackName = playbackName;
        this.channelDoc = channelDoc;
        this.limits = IngestLimits.forChannelType(channelDoc.path("type").asText("STANDARD"));
        LatencyMode mode = "NORMAL".equals(channelDoc.path("latencyMode").asText()) ? LatencyMode.NORMAL : LatencyMode.LOW;
        this.timings = new SegmentTimings(playbackName);
        this.fragmentedMp4 = "FRAGMENTED_MP4".equals(channelDoc.path("containerFormat").asText());
        SegmentWriter writer = fragmentedMp4 ? new Fmp4SegmentWriter(SEGMENT_MEMORY)
                : new TsSegmentWriter(SEGMENT_MEMORY);
        // LL-HLS parts are fMP4 fragments: a LOW channel with the API's default TS container keeps regular HLS.
        this.lowLatency = mode == LatencyMode.LOW && fragmentedMp4;
        this.segmenter = new Segmenter(SegmenterConfig.forLatencyMode(mode), writer, registry.clock::millis,
                segment -> {
                    if (lowLatency) {
                        windowPending = true;
                    } else {
                        publishWindow();
                    }
                    timings.listed(segment.sequence(), segment.durationTicks());
                    if (recordingSegmenter == null) {
                        recorder.segment(segment);
                    }
                });
        this.demuxer = new FlvToFrames(ByteBufAllocator.DEFAULT, fragmentedMp4 ? new Tee() : segmenter);
        // Segment URLs are immutable for caches, so a new session must not reuse numbers an earlier one served.
        // Media moves at most a sequence number per second (segments are >= 1 s), the clock one per second, so
        // starting at the clock's seconds never meets an earlier session's numbers. The discontinuity sequence
        // stays at 0: hls.js stalls the page on a large EXT-X-DISCONTINUITY-SEQUENCE (seen in Chromium), and
        // the init segments it names are served uncached instead.
        segmenter.startNumbersAt(registry.clock.millis() / 1000, 0);
        if (lowLatency) {
            segmenter.cutParts(PART_TARGET, this::changedSoon);
            // IVS lists audio_only on ADVANCED channels, whose ladder it transcodes anyway. Here it is a
            // second remux of every frame, so only LL-HLS channels pay for it: their playlists need another
            // rendition for EXT-X-RENDITION-REPORT to report on.
            audioSegmenter = new Segmenter(SegmenterConfig.forLatencyMode(mode),
                    new AudioOnlySegmentWriter(new Fmp4SegmentWriter(SEGMENT_MEMORY)), registry.clock::millis,
                    segment -> windowPending = true);
            audioSegmenter.startNumbersAt(segmenter.nextSequence(), 0);
            audioSegmenter.cutParts(PART_TARGET, this::changedSoon);
            audioOnly = new AudioOnly();
        } else {
            audioSegmenter = null;
            audioOnly = null;
        }
    }

    /**
     * Hands an fMP4 channel's frames to each of its segmenters. Recordings are MPEG-TS in IVS's
     * layout whatever the live container: an fMP4 channel that records remuxes a second time, into
     * TS segments of its own, only while it records. An LL-HLS channel also remuxes its audio_only
     * rendition; waiters hear of a finished part once every segmenter has the frame that ended it.
     */
    private final class Tee implements MediaSink {
        @Override
        public void onSessionStart() {
            segmenter.onSessionStart();
            if (audioSegmenter != null) {
                audioSegmenter.onSessionStart();
            }
            flushChanges();
        }

        @Override
        public void onVideoConfig(VideoConfig config) {
            segmenter.onVideoConfig(config);
            if (audioSegmenter != null) {
                audioSegmenter.onVideoConfig(config);
            }
            if (recordingSegmenter != null) {
                recordingSegmenter.onVideoConfig(config);
            }
            flushChanges();
        }

        @Override
        public void onAudioConfig(AudioConfig config) {
            segmenter.onAudioConfig(config);
            if (audioSegmenter != null) {
                audioSegmenter.onAudioConfig(config);
            }
            if (recordingSegmenter != null) {
                recordingSegmenter.onAudioConfig(config);
            }
            flushChanges();
        }

        @Override
        public void onFrame(MediaFrame frame) {
            segmenter.onFrame(frame);
            if (audioSegmenter != null) {
                audioSegmenter.onFrame(frame);
            }
            if (recordingSegmenter != null) {
                recordingSegmenter.onFrame(frame);
            }
            flushChanges();
        }

        @Override
        public void onSessionEnd() {
            segmenter.onSessionEnd();
            if (audioSegmenter != null) {
                audioSegmenter.onSessionEnd();
            }
            flushChanges();
        }

        @Override
        public void onTimedMetadata(TimedMetadata item) {
            timedMetadata(item);
        }
    }

    /** Owner thread: the live edge's metadata goes into every rendition. */
    private void timedMetadata(TimedMetadata item) {
        segmenter.onTimedMetadata(item);
        if (audioSegmenter != null) {
            audioSegmenter.onTimedMetadata(item);
        }
    }

    /** Owner thread: both segmenters have taken the frame; tell waiters and viewers what finished. */
    private void flushChanges() {
        if (windowPending) {
            windowPending = false;
            publishWindow();
        }
        if (changePending) {
            changePending = false;
            changed();
        }
    }

    /** Owner thread: a part or segment finished; told after the frame reached every segmenter. */
    private void changedSoon() {
        changePending = true;
    }

    /**
     * The audio_only rendition of an LL-HLS stream: the stream's owner, waiters and lifetime, the
     * audio segmenter's segments. Its requests all go to the owner thread (no published window):
     * few viewers pick it, and its playlist is rendered per request like any LL-HLS playlist.
     */
    private final class AudioOnly implements LiveRendition {
        @Override
        public EventExecutor owner() {
            return owner;
        }

        @Override
        public boolean ended() {
            return ended;
        }

        @Override
        public List<Segment> segments() {
            return audioSegmenter.segments();
        }

        @Override
        public int targetDurationSeconds() {
            return audioSegmenter.targetDurationSeconds();
        }

        @Override
        public void viewer(InetAddress address) {
            LiveStream.this.viewer(address);
        }

        @Override
        public boolean fragmentedMp4() {
            return true;
        }

        @Override
        public LowLatency lowLatency(LowLatency.PartUri partUri) {
            return LiveStream.lowLatency(audioSegmenter, partUri);
        }

        @Override
        public void whenChanged(Runnable task) {
            LiveStream.this.whenChanged(task);
        }

        @Override
        public void stopWaiting(Runnable task) {
            LiveStream.this.stopWaiting(task);
        }

        @Override
        public boolean writingPart(long sequence, int index) {
            return audioSegmenter.isWritingPart(sequence, index);
        }

        @Override
        public void followPart(PartFollower follower) {
            audioSegmenter.followPart(follower);
        }

        @Override
        public LiveRendition sibling() {
            return LiveStream.this;
        }

        @Override
        public boolean audioOnly() {
            return true;
        }
    }

    /** Releases what the constructor took, for a stream that was never admitted. */
    void discard() {
        segmenter.close();
        if (audioSegmenter != null) {
            audioSegmenter.close();
        }
        if (recordingSegmenter != null) {
            recordingSegmenter.close();
        }
    }

    /** Worker, on admission: where finished segments go besides live playback. */
    void recordTo(StreamRecorder recorder) {
        if (fragmentedMp4 && recorder != StreamRecorder.NONE) {
            recordingSegmenter = new Segmenter(SegmenterConfig.forLatencyMode(LatencyMode.NORMAL),
                    new TsSegmentWriter(SEGMENT_MEMORY), registry.clock::millis, recorder::segment);
        }
        this.recorder = recorder;
    }

    /** Worker, before the publisher starts: list on from a dropped predecessor's playlist. */
    void continuePlaylist(Parked previous) {
        segmenter.continueFrom(previous.main());
        if (audioSegmenter == null) {
            previous.releaseAudioOnly();
        } else if (previous.audioOnly() != null) {
            audioSegmenter.continueFrom(previous.audioOnly());
        } else {
            audioSegmenter.startNumbersAt(segmenter.nextSequence(), 0);
        }
    }

    boolean playable() {
        return owner != null;
    }

    // --- PublishSession (owner thread)

    @Override
    public void started(PublisherControl control) {
        this.control = control;
        this.owner = control.executor();
        publishWindow(); // a continued playlist is listed at once
        segmenter.onSessionStart();
        if (audioSegmenter != null) {
            audioSegmenter.onSessionStart();
        }
        if (recordingSegmenter != null) {
            recordingSegmenter.onSessionStart();
        }
        synchronized (this) {
            beatAt = registry.clock.millis();
            limitWindowAt = beatAt;
        }
        beating = true;
        registry.startHeartbeats();
        if (stopPending) {
            control.disconnect("StopStream");
        }
    }

    @Override
    public void onMetadata(Map<String, Object> metadata) {
        if (metadata.get("encoder") instanceof String e) {
            encoder = e;
        }
    }

    @Override
    public void onAudio(long timestampMs, ByteBuf body) {
        timings.messageArriving();
        if (refused) {
            return;
        }
        TagResult r = demuxer.audio(timestampMs, body);
        if (accepted(r, timestampMs)) {
            audioBytes += body.readableBytes();
            if (audio == null) {
                audio = demuxer.audioConfig();
            }
            batchReceives(timestampMs, false);
        }
    }

    @Override
    public void onVideo(long timestampMs, ByteBuf body) {
        timings.messageArriving();
        if (refused) {
            return;
        }
        TagResult r = demuxer.video(timestampMs, body);
        VideoConfig v = demuxer.videoConfig();
        if (v != video && v != null) {
            // Judged on the sequence header, before any segment or Stream Start.
            long over = limits.pixelsOver(v.width(), v.height());
            if (over > 0) {
                breach(IngestLimits.RESOLUTION, limits.maxPixels(), over, IngestLimits.PIXELS);
                return;
            }
        }
        if (accepted(r, timestampMs)) {
            videoBytes += body.readableBytes();
            if (v != video) {
                video = v;
            }
            batchReceives(timestampMs, demuxer.lastVideoKeyframe()); // the keyframe the segmenter cuts on
        }
    }

    /**
     * Owner thread, per accepted frame: batches receives as the heartbeat allows, except from shortly before
     * the next keyframe is due (by the wall clock: frames held back must not hide that it is near) until it
     * is here. An encoder with Nagle's algorithm on (ffmpeg's default) sends nothing more until its last
     * segment is acknowledged, and the kernel delays acknowledging bytes left unread (by tens of ms, up to
     * 200): the frame that ends a segment must not wait for that. A keyframe that comes early (a scene cut)
     * may; the GOP is judged from the last two keyframes. A check at least every {@link #HOLD_CHECK_MS}
     * ends the batching when the keyframe is due or media stopped (a publisher that paused, or unpublished
     * without closing: what it sent last must not wait in the kernel).
     */
    private void batchReceives(long timestampMs, boolean keyframe) {
        long now = System.nanoTime();
        mediaSinceCheck = true;
        if (keyframe) {
            if (lastKeyframeMs >= 0 && timestampMs > lastKeyframeMs) {
                keyframeIntervalMs = timestampMs - lastKeyframeMs;
            }
            lastKeyframeMs = timestampMs;
            keyframeDueNanos = now + TimeUnit.MILLISECONDS.toNanos(keyframeIntervalMs - KEYFRAME_GUARD_MS);
        }
        boolean keyframeDue = keyframeIntervalMs <= KEYFRAME_GUARD_MS || now - keyframeDueNanos >= 0;
        setBatch(keyframeDue ? 0 : batchAllowed);
        if (batchApplied > 0 && holdCheck == null) {
            armHoldCheck(now);
        }
    }

    private void armHoldCheck(long now) {
        mediaSinceCheck = false;
        long untilDue = TimeUnit.NANOSECONDS.toMillis(keyframeDueNanos - now);
        holdCheck = owner.schedule(this::checkHold, Math.max(1, Math.min(HOLD_CHECK_MS, untilDue)),
                TimeUnit.MILLISECONDS);
    }

    /** Owner thread: see {@link #batchReceives}. */
    private void checkHold() {
        holdCheck = null;
        if (ended || batchApplied == 0) {
            return;
        }
        long now = System.nanoTime();
        if (!mediaSinceCheck || now - keyframeDueNanos >= 0) {
            setBatch(0); // the next frame turns it back on when allowed
        } else {
            armHoldCheck(now);
        }
    }

    private void setBatch(int batch) {
        PublisherControl c = control;
        if (batch != batchApplied && c != null) {
            batchApplied = batch;
            c.receiveInBatches(batch);
        }
    }

    private boolean accepted(TagResult r, long timestampMs) {
        if (r.status() == TagResult.Status.ACCEPTED) {
            boolean first = lastMediaMs < 0;
            lastMediaMs = Math.max(lastMediaMs, timestampMs);
            if (first) {
                emit("Stream Start", null);
                registry.beatNow(this); // report HEALTHY now rather than at the next beat
            }
            return true;
        }
        if (r.isUnsupportedCodec() && !ended) {
            log.warn("stream {} on {}: unsupported codec {}, disconnecting", streamId, channelArn, r.detail());
            hasError = true;
            emit("Stream Failure", "Unsupported codec " + r.detail() + "; IVS accepts H.264 video and AAC audio.");
            control.disconnect("unsupported codec " + r.detail());
        }
        return false;
    }

    @Override
    public void closed(String reason) {
        ended = true;
        if (holdCheck != null) {
            holdCheck.cancel(false);
            holdCheck = null;
        }
        window = null;
        beating = false;
        segmenter.onSessionEnd();
        if (audioSegmenter != null) {
            audioSegmenter.onSessionEnd();
        }
        if (recordingSegmenter != null) {
            recordingSegmenter.onSessionEnd();
            recordingSegmenter.close();
        }
        recorder.ended();
        if (!stopPending && !refused && lastMediaMs >= 0) {
            // Dropped rather than stopped: a reconnect soon continues this playlist.
            registry.park(channelArn, new Parked(segmenter.handOver(),
                    audioSegmenter == null ? null : audioSegmenter.handOver()));
        } else {
            segmenter.close();
            if (audioSegmenter != null) {
                audioSegmenter.close();
            }
        }
        changePending = false;
        windowPending = false;
        changed();
        log.info("stream {} on {} ended: {}", streamId, channelArn, reason);
        try {
            registry.workers.execute(this::end);
        } catch (RuntimeException e) {
            registry.forget(this); // shutting down: the stale-session sweep ends the row
        }
    }

    // --- LiveRendition

    @Override
    public EventExecutor owner() {
        return owner;
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public List<Segment> segments() {
        return segmenter.segments();
    }

    @Override
    public PlaybackWindow window() {
        return window;
    }

    /** Owner thread. */
    private void publishWindow() {
        if (!ended) {
            List<Segment> segments = segmenter.segments();
            List<Segment> audioSegments = audioSegmenter == null ? List.of() : audioSegmenter.segments();
            Segment newest = segments.isEmpty() ? null : segments.get(segments.size() - 1);
            // Listed for a stream with both tracks: an audio-only stream's own rendition is that already.
            audioListed = newest != null && newest.video() != null && newest.audio() != null
                    && !audioSegments.isEmpty();
            window = new PlaybackWindow(playbackName, segments, audioListed ? audioSegments : List.of(),
                    segmenter.targetDurationSeconds(), fragmentedMp4, segmenter.partTargetTicks() != 0);
        }
    }

    @Override
    public int targetDurationSeconds() {
        return segmenter.targetDurationSeconds();
    }

    @Override
    public boolean fragmentedMp4() {
        return fragmentedMp4;
    }

    @Override
    public LowLatency lowLatency(LowLatency.PartUri partUri) {
        return lowLatency(segmenter, partUri);
    }

    private static LowLatency lowLatency(Segmenter segmenter, LowLatency.PartUri partUri) {
        long target = segmenter.partTargetTicks();
        return target == 0 ? null : new LowLatency(target, partUri, segmenter.partsInProgress(),
                segmenter.nextSequence(), segmenter.nextStartsDiscontinuity(), segmenter.programDateTimeInProgress());
    }

    /** The audio_only rendition while it is listed, else null. Any thread. */
    @Override
    public LiveRendition sibling() {
        return audioListed ? audioOnly : null;
    }

    @Override
    public void whenChanged(Runnable task) {
        if (ended) {
            task.run();
        } else {
            waiting.add(task);
        }
    }

    @Override
    public void stopWaiting(Runnable task) {
        waiting.remove(task);
    }

    @Override
    public boolean writingPart(long sequence, int index) {
        return !ended && segmenter.isWritingPart(sequence, index);
    }

    @Override
    public void followPart(PartFollower follower) {
        segmenter.followPart(follower);
    }

    /** Owner thread: a part or segment is done, or the stream ended; wakes whoever waits for it. */
    private void changed() {
        if (!waiting.isEmpty()) {
            List<Runnable> now = new ArrayList<>(waiting);
            waiting.clear();
            now.forEach(Runnable::run);
        }
    }

    @Override
    public void viewer(InetAddress address) {
        InetAddress key = address == null ? UNKNOWN_VIEWER : address;
        long now = registry.clock.millis();
        Long seen = viewers.get(key);
        // A viewer asks every few seconds, over many connections: refresh (a contended write) once a second at most.
        if (seen == null || now - seen >= 1000) {
            viewers.put(key, now);
        }
    }

    // --- control

    /** Any thread: StopStream from this node's API or from the store. */
    void stop(String reason) {
        stopPending = true;
        PublisherControl c = control;
        if (c != null) {
            c.disconnect(reason);
        }
    }

    /** Any thread: hands timed metadata to the owner, which writes it at the live edge. */
    boolean putMetadata(String text) {
        byte[] id3 = Id3Tag.userText(text);
        return onOwner(() -> timedMetadata(new TimedMetadata(segmenter.livePts(), id3)));
    }

    /** Any thread: an SCTE-35 ad break starting at the live edge, announced by an "Ad Break Inserted" event. */
    boolean insertAdBreak(String adBreakId, int durationSeconds) {
        int eventId = adBreakEvents.incrementAndGet();
        long now = registry.clock.millis();
        DateRange range = new DateRange(adBreakId, now, durationSeconds,
                SpliceInsert.out(eventId, (long) durationSeconds * MediaFrame.CLOCK_RATE));
        if (!onOwner(() -> {
            segmenter.addDateRange(range);
            if (audioSegmenter != null) {
                audioSegmenter.addDateRange(range);
            }
        })) {
            return false;
        }
        Arn arn = Arn.parse(channelArn);
        Instant at = Instant.ofEpochMilli(now); // the live edge: about now
        registry.events.publish(IvsEvent.adBreakInserted(arn.account(), arn.region(), channelArn,
                channelDoc.path("name").asText(""), streamId, adBreakId, durationSeconds, at, at));
        return true;
    }

    /** Runs {@code task} on the owner thread while the stream is live; false when it is not (yet or any more). */
    private boolean onOwner(Runnable task) {
        EventExecutor o = owner;
        if (o == null || ended) {
            return false;
        }
        try {
            o.execute(() -> {
                if (!ended) {
                    task.run();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Worker, under the registry's heartbeat lock: this stream's share of a heartbeat, or null when it
     * is not live. The registry writes the shares of all live streams in one transaction.
     */
    Beat beat() {
        if (!beating || ended) {
            return null;
        }
        long now = registry.clock.millis();
        String doc;
        synchronized (this) {
            doc = measure(now);
        }
        return new Beat(now, doc);
    }

    /**
     * One stream's heartbeat: refreshes the session row and picks up what another node recorded for
     * this stream: a StopStream, timed metadata and ad breaks (which thus land up to one beat late).
     */
    final class Beat {
        private final long now;
        private final String doc;
        private List<StreamCue> cues = List.of();
        private Optional<StreamSessionRow> row = Optional.empty();

        private Beat(long now, String doc) {
            this.now = now;
            this.doc = doc;
        }

        /** Worker, inside the heartbeat's transaction. */
        void write(ResourceStore.Tx tx) {
            tx.touchSession(streamId, now, hasError, doc);
            cues = tx.takeCues(streamId);
            row = tx.session(channelArn, streamId);
        }

        /** Worker, after the transaction committed. */
        void apply() {
            if (row.isEmpty() || row.get().stopRequested() || !row.get().live()) {
                stop("StopStream");
            }
            for (StreamCue cue : cues) {
                if (!StreamCues.apply(LiveStream.this, cue)) {
                    log.debug("cue {} of stream {} dropped: the stream is not live here", cue.kind(), streamId);
                }
            }
        }
    }

    /** Updates the bitrates and health since the last beat and returns the session document. */
    private String measure(long now) {
        long media = lastMediaMs;
        long mediaAtLastBeat = beatMediaMs;
        String health;
        long elapsed = now - beatAt;
        if (media < 0) {
            health = "UNKNOWN";
        } else if (beatMediaMs < 0 || elapsed < 500) {
            health = "HEALTHY";
        } else {
            // Starving: media time advanced clearly slower than the wall clock.
            health = (media - beatMediaMs) * 10 >= elapsed * 8 ? "HEALTHY" : "STARVING";
        }
        if (elapsed >= 500) {
            long v = videoBytes;
            long a = audioBytes;
            videoBitrate = (v - beatVideoBytes) * 8_000 / elapsed;
            audioBitrate = (a - beatAudioBytes) * 8_000 / elapsed;
            beatVideoBytes = v;
            beatAudioBytes = a;
            beatAt = now;
            beatMediaMs = media;
        }
        checkBitrate(now);
        batchAllowed = receiveBatch(media > mediaAtLastBeat && mediaAtLastBeat >= 0, videoBitrate + audioBitrate);
        viewers.values().removeIf(seen -> seen < now - VIEWER_WINDOW_MS);
        return document(health, viewers.size(), ingestConfiguration());
    }

    /**
     * The receive batch for the next beat: {@link #RECEIVE_BATCH_MS} of the measured bitrate, a power of two
     * from 1 KiB to {@link #MAX_RECEIVE_BATCH}, or 0. None while media does not move (the publisher stalled or
     * is about to unpublish: what it sent last must not wait in the kernel) and none for LL-HLS.
     */
    private int receiveBatch(boolean mediaMoved, long bitsPerSecond) {
        if (lowLatency || !mediaMoved) {
            return 0;
        }
        long bytes = Math.min(MAX_RECEIVE_BATCH, bitsPerSecond / 8 * RECEIVE_BATCH_MS / 1000);
        return bytes < 1024 ? 0 : Integer.highestOneBit((int) bytes);
    }

    /** Worker, under this: the channel type's ingest bitrate over the last window. */
    private void checkBitrate(long now) {
        long elapsed = now - limitWindowAt;
        if (elapsed < BITRATE_WINDOW_MS || lastMediaMs < 0) {
            return;
        }
        long bytes = videoBytes + audioBytes;
        long bitrate = (bytes - limitWindowBytes) * 8_000 / elapsed;
        limitWindowAt = now;
        limitWindowBytes = bytes;
        VideoConfig v = video;
        long max = v == null ? limits.maxBitrateHd() : limits.maxBitrate(v.width(), v.height());
        if (bitrate > max) {
            breach(IngestLimits.BITRATE, max, bitrate - max, IngestLimits.BITS_PER_SECOND);
        }
    }

    /** Any thread: reports a limit breach (§11.4) and disconnects the publisher. */
    private void breach(String limitName, long limitValue, long exceededBy, String unit) {
        if (refused) {
            return;
        }
        refused = true;
        hasError = true;
        Arn arn = Arn.parse(channelArn);
        Instant time = Instant.ofEpochMilli(registry.clock.millis());
        log.warn("stream {} on {}: {} over the limit of {} by {} {}, disconnecting", streamId, channelArn, limitName,
                limitValue, exceededBy, unit);
        // truncatedEvents has no limit_name member: the limit's name is the event's name (unconfirmed).
        sessionEvents.add(limitName, IvsEvent.LIMIT_BREACH, time);
        registry.events.publish(IvsEvent.limitBreach(limitName, limitValue, exceededBy, unit, arn.account(),
                arn.region(), channelArn, channelDoc.path("name").asText(""), streamId, time));
        PublisherControl c = control;
        if (c != null) {
            c.disconnect(limitName.toLowerCase(java.util.Locale.ROOT) + " over the channel type's limit");
        }
    }

    private ObjectNode ingestConfiguration() {
        VideoConfig v = video;
        AudioConfig a = audio;
        if (v == null && a == null) {
            return null;
        }
        ObjectNode ic = Json.object();
        if (v != null) {
            ObjectNode vc = ic.putObject("video");
            vc.put("codec", v.codec());
            vc.put("avcProfile", profileName(v.profileIdc()));
            vc.put("avcLevel", (v.levelIdc() / 10) + "." + (v.levelIdc() % 10));
            vc.put("videoWidth", v.width());
            vc.put("videoHeight", v.height());
            vc.put("targetFramerate", v.hasFrameRate() ? Math.round(v.frameRate()) : 0);
            vc.put("targetBitrate", videoBitrate);
            vc.put("encoder", encoder);
        }
        if (a != null) {
            ObjectNode ac = ic.putObject("audio");
            ac.put("codec", a.codec());
            ac.put("channels", a.channels());
            ac.put("sampleRate", a.sampleRate());
            ac.put("targetBitrate", audioBitrate);
        }
        return ic;
    }

    /**
     * GetStreamSession's ingestConfigurations: the one track of an RTMP publisher as "Track0", with
     * profile/level here and avcProfile/avcLevel left "" as IVS does (ivs-behavior.md §6.3).
     */
    private static ObjectNode ingestConfigurations(ObjectNode single) {
        ObjectNode ics = Json.object();
        ArrayNode videos = ics.putArray("videoConfigurations");
        ArrayNode audios = ics.putArray("audioConfigurations");
        if (single != null && single.has("video")) {
            ObjectNode v = single.get("video").deepCopy();
            v.put("profile", v.path("avcProfile").asText());
            v.put("level", v.path("avcLevel").asText());
            v.put("avcProfile", "");
            v.put("avcLevel", "");
            v.put("track", "Track0");
            videos.add(v);
        }
        if (single != null && single.has("audio")) {
            ObjectNode a = single.get("audio").deepCopy();
            audios.add(a.put("track", "Track0"));
        }
        return ics;
    }

    private static String profileName(int profileIdc) {
        switch (profileIdc) {
            case 66: return "Baseline";
            case 77: return "Main";
            case 88: return "Extended";
            case 100: return "High";
            case 110: return "High 10";
            case 122: return "High 4:2:2";
            case 244: return "High 4:4:4";
            default: return "Unknown";
        }
    }

    /** Publishes an "IVS Stream State Change" event for this stream; {@code reason} for Stream Failure. */
    void emit(String eventName, String reason) {
        registry.events.publish(event(eventName, reason));
    }

    /** The event, also remembered for truncatedEvents. */
    private IvsEvent event(String eventName, String reason) {
        Arn arn = Arn.parse(channelArn);
        Instant time = Instant.ofEpochMilli(registry.clock.millis());
        IvsEvent e = IvsEvent.streamState(eventName, arn.account(), arn.region(), channelArn,
                channelDoc.path("name").asText(""), streamId, time);
        if (reason != null) {
            e.detail().put("reason", reason);
        }
        sessionEvents.add(eventName, IvsEvent.STREAM_STATE_CHANGE, time);
        return e;
    }

    /** The session row's document: what GetStream/GetStreamSession read. */
    String document(String health, int viewerCount, ObjectNode ingestConfiguration) {
        ObjectNode d = Json.object();
        d.put("health", health);
        d.put("viewerCount", viewerCount);
        d.set("channel", channelDoc);
        if (ingestConfiguration != null) {
            d.set("ingestConfiguration", ingestConfiguration);
        }
        d.set("ingestConfigurations", ingestConfigurations(ingestConfiguration));
        sessionEvents.writeTo(d.putArray("truncatedEvents"));
        return Json.write(d);
    }

    /** Worker: writes the end of the session, then frees the channel for its next publisher. */
    private void end() {
        // Remembered before the last document is written so truncatedEvents lists them; published after.
        List<IvsEvent> last = new ArrayList<>(2);
        last.add(event("Session Ended", null));
        if (lastMediaMs >= 0) {
            last.add(event("Stream End", null));
        }
        try {
            String doc;
            synchronized (this) {
                doc = document("UNKNOWN", 0, ingestConfiguration());
            }
            registry.store.write(tx -> tx.endSession(streamId, registry.clock.millis(), hasError, doc));
        } catch (RuntimeException e) {
            log.warn("could not end stream session {}: {}", streamId, e.toString());
        } finally {
            // IVS may deliver Session Ended before Stream End; openivs sends them in this order.
            last.forEach(registry.events::publish);
            registry.forget(this);
        }
    }
}
