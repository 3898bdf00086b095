package io.openivs.server.live;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.SegmentFiles;
import io.openivs.server.media.SegmentMemory;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.fmp4.AudioOnlySegmentWriter;
import io.openivs.server.media.fmp4.Fmp4SegmentWriter;
import io.openivs.server.media.hls.DateRange;
import io.openivs.server.media.hls.LatencyMode;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.Segmenter;
import io.openivs.server.media.hls.SegmenterConfig;
import io.openivs.server.media.ts.AudioOnlyTsWriter;
import io.openivs.server.media.ts.TsSegmentWriter;
import io.openivs.server.playback.LiveRendition;
import io.openivs.server.playback.PlaybackWindow;
import io.openivs.server.recording.StreamRecorder;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A live stream's renditions and the consumers attached to its frames, owned by the stream's owner
 * thread. Frames from the publisher's demuxer fan out to every attached {@link StreamConsumer}: each
 * rendition's segmenter, the recording's segmenter (fMP4 channels: recordings are MPEG-TS in IVS's
 * layout, so an fMP4 channel remuxes a second time while it records), and consumers on threads of
 * their own behind a {@link FrameHandOff}. Waiters hear of a finished part, and viewers get a new
 * window, once every consumer has the frame that finished it, so a playlist made then reports the
 * other renditions at the same point.
 *
 * <p>Renditions: the full one (index 0); an audio_only one cut where the full one cuts, on ADVANCED
 * channels (IVS lists it there) and on LL-HLS channels (their playlists need another rendition for
 * EXT-X-RENDITION-REPORT to report on even when nothing is transcoded), a second remux of the
 * source's audio; and the transcoded rungs, fed by {@link TranscodedLadder}.
 *
 * <p>Longer than most classes: every rendition's segmenter reports into the same owner-thread
 * bookkeeping (pending changes, waiters, the published window, the recorder), which a split would
 * have to share back through package-private state.
 */
final class Renditions implements MediaSink {
    /** LL-HLS part target: about a third of a second (ten frames at 30 fps). */
    static final Duration PART_TARGET = Duration.ofMillis(1000 / 3 + 1);
    /**
     * Where segment bytes live. They stay for the live window (~12 s) while RTMP and frame buffers live
     * for microseconds; Netty's default adaptive allocator carves both from the same chunks, which the
     * long-lived segments then keep from being reused. The size-classed pooled allocator frees each
     * segment's run on its own (bench/ingest: RSS per stream at 50 streams from ~3.2 to ~2.2 MiB).
     */
    private static final ByteBufAllocator SEGMENT_MEMORY = PooledByteBufAllocator.DEFAULT;
    /**
     * Finished TS segments that playback serves: in tmpfs files, sent to viewers with sendfile rather
     * than copied into their sockets (the pooled memory above when files cannot be used).
     */
    private static final SegmentMemory SERVED = SegmentFiles.shared(SegmentMemory.pooled(SEGMENT_MEMORY));

    private static final StreamConsumer[] NONE = new StreamConsumer[0];

    private final String playbackName;
    private final boolean fragmentedMp4;
    private final LatencyMode mode;
    /** LOW fMP4 channels: every rendition, rungs included, cuts LL-HLS parts. */
    private final boolean lowLatency;
    /** Owner thread: each rung's place in its ladder. */
    private final Map<String, Integer> rungOrder = new HashMap<>();

    private final LongSupplier clock;
    private final StreamHealth health;
    private final Consumer<Segment> listed;
    /** LOW channels: media playlists list LHLS prefetch segments (Amazon's IVS player's low-latency form). */
    private final boolean prefetch;

    private final List<Rendition> renditions = new ArrayList<>(2);
    private final Rendition main;
    /**
     * The audio_only rendition, or null: the source's audio remuxed, until a transcoder's audio takes
     * over ({@link #takeOverAudioOnly}). Written by the owner.
     */
    private volatile Rendition audio;
    /** Attached consumers in attach order; replaced, never changed, so the owner reads it without a lock. */
    private volatile StreamConsumer[] consumers = NONE;
    /** Requests waiting for the next part or segment (blocking reloads). Owner thread. */
    private final List<Runnable> waiting = new ArrayList<>();

    private volatile EventExecutor owner;
    private volatile boolean ended;
    /** The server is shutting down: media stopped, the last window lists EXT-X-ENDLIST until end(). */
    private volatile boolean finished;
    /** What playback answers from without the owner thread; republished whenever a segment is finished. */
    private volatile PlaybackWindow window;
    /** Whether {@link #audio} is listed: the newest segment has video and audio. Written by the owner. */
    private volatile boolean audioListed;
    /** Set once on admission, before any media. */
    private volatile StreamRecorder recorder = StreamRecorder.NONE;
    /** fMP4 channels only, while recording: TS segments for the recording. Set with the recorder. */
    private volatile RecordingConsumer recording;
    /** Transcoded renditions by name, in ladder order; replaced, never changed (playback reads it on any thread). */
    private volatile Map<String, Rendition> rungs = Map.of();
    /** Whether the master playlist lists the source while rungs are listed (not on ADVANCED channels). */
    private volatile boolean sourceListed = true;
    /** Owner thread: a part or segment finished while a consumer had the frame; told once all have it. */
    private boolean changePending;

    private boolean windowPending;

    /**
     * @param listed told of each segment the full rendition lists (owner thread)
     * @param health counts the viewers of every rendition
     */
    Renditions(
            String playbackName,
            boolean fragmentedMp4,
            LatencyMode mode,
            LongSupplier clock,
            StreamHealth health,
            Consumer<Segment> listed) {
        this(playbackName, fragmentedMp4, mode, clock, health, listed, false);
    }

    /** @param audioOnlyListed whether an audio_only rendition is listed whatever the latency (ADVANCED channels) */
    Renditions(
            String playbackName,
            boolean fragmentedMp4,
            LatencyMode mode,
            LongSupplier clock,
            StreamHealth health,
            Consumer<Segment> listed,
            boolean audioOnlyListed) {
        this.playbackName = playbackName;
        this.fragmentedMp4 = fragmentedMp4;
        this.mode = mode;
        this.clock = clock;
        this.health = health;
        this.listed = listed;
        this.prefetch = mode == LatencyMode.LOW;
        // LL-HLS parts are fMP4 fragments: a LOW channel with the API's default TS container keeps regular HLS.
        this.lowLatency = mode == LatencyMode.LOW && fragmentedMp4;
        Segmenter full = new Segmenter(
                SegmenterConfig.forLatencyMode(mode),
                fragmentedMp4 ? new Fmp4SegmentWriter(SEGMENT_MEMORY) : new TsSegmentWriter(SEGMENT_MEMORY, SERVED),
                clock,
                this::segmentListed);
        full.stampLatency();
        // Segment URLs are immutable for caches, so a new session must not reuse numbers an earlier one served.
        // Media moves at most a sequence number per second (segments are >= 1 s), the clock one per second, so
        // starting at the clock's seconds never meets an earlier session's numbers. The discontinuity sequence
        // stays at 0: hls.js stalls the page on a large EXT-X-DISCONTINUITY-SEQUENCE (seen in Chromium), and
        // the init segments it names are served uncached instead.
        full.startNumbersAt(clock.getAsLong() / 1000, 0);
        main = add(new Rendition(this, full, false, fragmentedMp4));
        if (lowLatency) {
            full.cutParts(PART_TARGET, this::changedSoon);
        }
        if (lowLatency || audioOnlyListed) {
            Segmenter audioOnly = audioOnlySegmenter();
            audioOnly.startNumbersAt(full.nextSequence(), 0);
            audio = add(new Rendition(this, audioOnly, true, fragmentedMp4));
        } else {
            audio = null;
        }
    }

    private Segmenter audioOnlySegmenter() {
        Segmenter s = new Segmenter(
                SegmenterConfig.forLatencyMode(mode),
                fragmentedMp4
                        ? new AudioOnlySegmentWriter(new Fmp4SegmentWriter(SEGMENT_MEMORY))
                        : new AudioOnlyTsWriter(new TsSegmentWriter(SEGMENT_MEMORY, SERVED)),
                clock,
                segment -> windowPending = true);
        s.stampLatency();
        if (lowLatency) {
            s.cutParts(PART_TARGET, this::changedSoon);
        }
        return s;
    }

    private Rendition add(Rendition rendition) {
        renditions.add(rendition);
        attach(rendition);
        return rendition;
    }

    /** The renditions, the full one first. */
    List<Rendition> all() {
        return renditions;
    }

    /** The full rendition: what playback finds under the channel's name. */
    Rendition main() {
        return main;
    }

    /** Adds a consumer of the stream's frames; before the publisher starts, or on the owner thread. */
    void attach(StreamConsumer consumer) {
        StreamConsumer[] now = consumers;
        StreamConsumer[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = consumer;
        consumers = next;
    }

    /** Removes a consumer; it hears nothing more (closing it is its owner's business). Owner thread. */
    void detach(StreamConsumer consumer) {
        StreamConsumer[] now = consumers;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == consumer) {
                StreamConsumer[] next = new StreamConsumer[now.length - 1];
                System.arraycopy(now, 0, next, 0, i);
                System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                consumers = next;
                return;
            }
        }
    }

    /** Worker, on admission, before any media: where finished segments go besides live playback. */
    void recordTo(StreamRecorder recorder) {
        if (fragmentedMp4 && recorder != StreamRecorder.NONE) {
            RecordingConsumer r = new RecordingConsumer(new Segmenter(
                    SegmenterConfig.forLatencyMode(LatencyMode.NORMAL),
                    new TsSegmentWriter(SEGMENT_MEMORY),
                    clock,
                    recorder::segment));
            recording = r;
            attach(r);
        }
        this.recorder = recorder;
    }

    /** Worker, before the publisher starts: list on from a dropped predecessor's playlists. */
    void continueFrom(Parked previous) {
        main.segmenter.continueFrom(previous.main());
        if (audio == null) {
            previous.releaseAudioOnly();
        } else if (previous.audioOnly() != null) {
            audio.segmenter.continueFrom(previous.audioOnly());
        } else {
            audio.segmenter.startNumbersAt(main.segmenter.nextSequence(), 0);
        }
    }

    /** Worker, before the publisher starts: the channel's previous playlist was served by another node, now gone. */
    void followLostPlaylist() {
        main.segmenter.followsLostPlaylist();
        if (audio != null) {
            audio.segmenter.followsLostPlaylist();
        }
    }

    // --- lifecycle (owner thread)

    /** The publisher started on {@code owner}: a continued playlist is listed at once. */
    void start(EventExecutor owner) {
        this.owner = owner;
        publishWindow();
        StreamConsumer[] cs = consumers;
        for (int i = 0; i < cs.length; i++) {
            cs[i].onSessionStart();
        }
    }

    /**
     * The publisher went: every consumer hears the session end, waiters are woken, and the playlists
     * are handed over for a reconnect to continue ({@code park}) or released.
     *
     * @return the parked playlists when {@code park}, else null
     */
    Parked end(boolean park) {
        ended = true;
        window = null;
        StreamConsumer[] cs = consumers;
        for (int i = 0; i < cs.length; i++) {
            cs[i].onSessionEnd();
        }
        RecordingConsumer r = recording;
        if (r != null) {
            r.segmenter.close();
        }
        recorder.ended();
        closeRungs();
        Parked parked = null;
        if (park) {
            parked = new Parked(main.segmenter.handOver(), audio == null ? null : audio.segmenter.handOver());
        } else {
            main.segmenter.close();
            if (audio != null) {
                audio.segmenter.close();
            }
        }
        changePending = false;
        windowPending = false;
        changed();
        return parked;
    }

    /**
     * Shutdown, before the publisher is let go: every consumer ends its session here (the open segment is
     * finished and listed, the recording gets it), frames from now on are dropped, and the window is
     * republished as the last one, its media playlists ending with EXT-X-ENDLIST, so viewers still
     * polling learn the stream is over instead of meeting a 404. {@link #end} follows and releases it.
     */
    void finish() {
        if (ended || finished) {
            return;
        }
        StreamConsumer[] cs = consumers;
        for (int i = 0; i < cs.length; i++) {
            cs[i].onSessionEnd();
        }
        finished = true;
        windowPending = true;
        changePending = true;
        flushChanges();
    }

    boolean finished() {
        return finished;
    }

    /** Releases what the constructor took, for a stream that was never admitted. */
    void discard() {
        closeRungs();
        for (int i = 0; i < renditions.size(); i++) {
            renditions.get(i).segmenter.close();
        }
        RecordingConsumer r = recording;
        if (r != null) {
            r.segmenter.close();
        }
    }

    // --- frames (owner thread): each call reaches every consumer, then what finished is told

    @Override
    public void onSessionStart() {
        // The stream starts its consumers' sessions itself (start), before the publisher's first media.
    }

    @Override
    public void onVideoConfig(VideoConfig config) {
        if (finished) {
            return;
        }
        StreamConsumer[] cs = consumers;
        for (int i = 0; i < cs.length; i++) {
            cs[i].onVideoConfig(config);
        }
        flushChanges();
    }

    @Override
    public void onAudioConfig(AudioConfig config) {
        if (finished) {
            return;
        }
        StreamConsumer[] cs = consumers;
        for (int i = 0; i < cs.length; i++) {
            cs[i].onAudioConfig(config);
        }
        flushChanges();
    }

    @Override
    public void onFrame(MediaFrame frame) {
        if (finished) {
            return;
        }
        StreamConsumer[] cs = consumers;
        for (int i = 0; i < cs.length; i++) {
            cs[i].onFrame(frame);
        }
        flushChanges();
    }

    /** The live edge's metadata goes into every rendition. */
    @Override
    public void onTimedMetadata(TimedMetadata item) {
        if (finished) {
            return;
        }
        StreamConsumer[] cs = consumers;
        for (int i = 0; i < cs.length; i++) {
            cs[i].onTimedMetadata(item);
        }
        flushChanges();
    }

    /** An ad break at the live edge, into every rendition. */
    void onDateRange(DateRange range) {
        if (finished) {
            return;
        }
        StreamConsumer[] cs = consumers;
        for (int i = 0; i < cs.length; i++) {
            cs[i].onDateRange(range);
        }
        flushChanges();
    }

    @Override
    public void onSessionEnd() {
        // See end(): the stream ends its consumers' sessions itself.
    }

    /** The full rendition's live edge, for metadata put there. */
    long livePts() {
        return main.segmenter.livePts();
    }

    private void segmentListed(Segment segment) {
        windowPending = true;
        changePending = true; // what waits for a segment (a prefetch request) hears of it on TS channels too
        listed.accept(segment);
        if (recording == null) {
            recorder.segment(segment);
        }
    }

    private void changedSoon() {
        changePending = true;
    }

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

    private void publishWindow() {
        if (!ended) {
            List<Segment> segments = main.segmenter.segments();
            List<Segment> audioSegments = audio == null ? List.of() : audio.segmenter.segments();
            Segment newest = segments.isEmpty() ? null : segments.get(segments.size() - 1);
            // Listed for a stream with both tracks: an audio-only stream's own rendition is that already.
            audioListed =
                    newest != null && newest.video() != null && newest.audio() != null && !audioSegments.isEmpty();
            window = new PlaybackWindow(
                    playbackName,
                    segments,
                    audioListed ? audioSegments : List.of(),
                    main.segmenter.targetDurationSeconds(),
                    fragmentedMp4,
                    main.segmenter.partTargetTicks() != 0,
                    prefetch ? main.segmenter.prefetch() : null,
                    rungWindows(),
                    sourceListed,
                    finished);
        }
    }

    // --- transcoded renditions (owner thread unless said otherwise)

    /** The rungs' windows for the master playlist, those with segments, in ladder order. */
    private List<PlaybackWindow.Rung> rungWindows() {
        Map<String, Rendition> now = rungs;
        if (now.isEmpty()) {
            return List.of();
        }
        List<PlaybackWindow.Rung> out = new ArrayList<>(now.size());
        now.forEach((name, r) -> {
            List<Segment> s = r.segmenter.segments();
            if (!s.isEmpty()) {
                out.add(new PlaybackWindow.Rung(name, s));
            }
        });
        return out;
    }

    /** A transcoded rendition by name, or null. Any thread. */
    Rendition rung(String name) {
        return rungs.get(name);
    }

    /** Whether the master lists the source beside the rungs; before the publisher starts. */
    void listSource(boolean listed) {
        sourceListed = listed;
    }

    /**
     * A new rendition for a rung, numbered from {@code sequence} so its segments carry the source's
     * numbers for the same instants. It is not listed until {@link #listRung}; its frames come from
     * the transcoder, not from this stream's consumers.
     */
    Rendition newRung(String name, long sequence, long discontinuity, boolean recorded) {
        // A TS channel records the rung's own segments; an fMP4 channel remuxes them (rungRecording).
        boolean recordsThese = recorded && !fragmentedMp4;
        Segmenter s = new Segmenter(
                SegmenterConfig.forLatencyMode(mode),
                fragmentedMp4 ? new Fmp4SegmentWriter(SEGMENT_MEMORY) : new TsSegmentWriter(SEGMENT_MEMORY, SERVED),
                clock,
                segment -> {
                    windowPending = true;
                    if (recordsThese) {
                        recorder.segment(name, segment);
                    }
                });
        s.startNumbersAt(sequence, discontinuity);
        s.stampLatency();
        if (lowLatency) {
            // Parts as the source cuts them, so a rung serves blocking reloads and preload hints as it does.
            s.cutParts(PART_TARGET, this::changedSoon);
        }
        return new Rendition(this, s, fragmentedMp4, name);
    }

    /**
     * fMP4 channels: the recording's TS segmenter for a recorded rung (recordings are MPEG-TS, as the
     * source's {@link RecordingConsumer}), numbered as the rung; null on TS channels, whose rungs'
     * own segments are recorded.
     */
    RecordingConsumer rungRecording(String name, long sequence) {
        if (!fragmentedMp4) {
            return null;
        }
        Segmenter s = new Segmenter(
                SegmenterConfig.forLatencyMode(LatencyMode.NORMAL),
                new TsSegmentWriter(SEGMENT_MEMORY),
                clock,
                segment -> recorder.segment(name, segment));
        s.startNumbersAt(sequence, 0);
        return new RecordingConsumer(s);
    }

    /** Where finished segments are recorded; set on admission. Owner thread. */
    StreamRecorder recorder() {
        return recorder;
    }

    /**
     * Lists {@code rendition} as rung {@code name} (at its place in the ladder), replacing and closing
     * the rung's previous one, whose playlist a restarted transcoder cannot continue without a gap.
     */
    void listRung(String name, int order, Rendition rendition) {
        rungOrder.put(name, order);
        List<String> names = new ArrayList<>(rungs.keySet());
        if (!names.contains(name)) {
            names.add(name);
            names.sort((a, b) -> Integer.compare(rungOrder.get(a), rungOrder.get(b)));
        }
        LinkedHashMap<String, Rendition> next = new LinkedHashMap<>();
        for (String n : names) {
            next.put(n, n.equals(name) ? rendition : rungs.get(n));
        }
        Rendition old = rungs.get(name);
        rungs = Collections.unmodifiableMap(next);
        if (old != null) {
            old.segmenter.close();
        }
        windowPending = true;
    }

    /**
     * ADVANCED channels, before the transcoder's audio takes over audio_only: the source's remux stops
     * here (its open segment is dropped at the takeover), so the playlist's next number stays put.
     */
    void freezeAudioOnly() {
        if (audio != null) {
            detach(audio);
        }
    }

    /** The number the listed audio_only rendition's next segment would get. */
    long audioOnlyNext() {
        return audio.segmenter.nextSequence();
    }

    /**
     * A new audio_only rendition, fed by the transcoder from the source segment {@code sequence}, in
     * place of the listed one (the source's remux, or a lost transcoder child's): its playlist goes on
     * with a discontinuity when {@code sequence} is the number the listed one was at, else starts
     * anew at {@code sequence} (a playlist cannot skip numbers).
     */
    Rendition takeOverAudioOnly(long sequence) {
        Rendition old = audio;
        detach(old);
        Segmenter.Continuation c = old.segmenter.handOver();
        Segmenter s = audioOnlySegmenter();
        if (c.nextSequence() == sequence) {
            s.continueFrom(c);
        } else {
            c.release();
            s.startNumbersAt(sequence, c.discontinuitySequence() + 1);
        }
        Rendition r = new Rendition(this, s, true, fragmentedMp4);
        audio = r;
        windowPending = true;
        return r;
    }

    /** Publishes what rung frames finished (they arrive in tasks of their own, not through onFrame). */
    void rungsFed() {
        flushChanges();
    }

    private void closeRungs() {
        Map<String, Rendition> now = rungs;
        rungs = Map.of();
        now.values().forEach(r -> r.segmenter.close());
    }

    /** A part or segment is done, or the stream ended: wakes whoever waits for it. */
    private void changed() {
        if (!waiting.isEmpty()) {
            List<Runnable> now = new ArrayList<>(waiting);
            waiting.clear();
            now.forEach(Runnable::run);
        }
    }

    // --- what renditions share (see LiveRendition for the threads)

    EventExecutor owner() {
        return owner;
    }

    boolean ended() {
        return ended;
    }

    /** Whether media playlists list LHLS prefetch segments (LOW channels). Any thread. */
    boolean prefetches() {
        return prefetch;
    }

    PlaybackWindow window() {
        return window;
    }

    void viewer(InetAddress address) {
        health.viewer(address);
    }

    /** The full rendition's sibling is the audio_only rendition while it is listed; the audio_only's, the full. */
    LiveRendition sibling(Rendition of) {
        if (of == main) {
            return audioListed ? audio : null;
        }
        return main;
    }

    /**
     * The renditions the multivariant playlist lists besides {@code of}, for rendition reports: the
     * full one (unless the ladder leaves it out), audio_only while listed, each listed rung. Owner thread.
     */
    List<LiveRendition> others(Rendition of) {
        Map<String, Rendition> now = rungs;
        List<LiveRendition> out = new ArrayList<>(now.size() + 2);
        if (of != main && (sourceListed || now.isEmpty())) {
            out.add(main);
        }
        now.values().forEach(r -> {
            if (r != of && !r.segmenter.segments().isEmpty()) {
                out.add(r);
            }
        });
        if (of != audio && audioListed) {
            out.add(audio);
        }
        return out;
    }

    void whenChanged(Runnable task) {
        if (ended) {
            task.run();
        } else {
            waiting.add(task);
        }
    }

    void stopWaiting(Runnable task) {
        waiting.remove(task);
    }
}
