package io.openivs.server.live;

import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.live.transcode.Transcoder;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.DateRange;
import io.openivs.server.media.ladder.Ladder;
import io.openivs.server.media.ladder.Ladders;
import io.openivs.server.media.ladder.Rung;
import io.openivs.server.recording.StreamRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream's transcoding ladder, attached to its {@link Renditions} after the source rendition: the
 * ladder is chosen from the first video configuration ({@link Ladders}), the source goes to a
 * {@link Transcoder} on its own thread through a {@link FrameHandOff} (ingest never waits for it),
 * and each rung's frames come back to the owner thread into a rendition of its own.
 *
 * <p>Alignment: a rung starts listing only at a keyframe where the source started a segment (the
 * transcoder forces keyframes where the source has them and keeps its timestamps), numbered as the
 * source's segment from there; both segmenters then cut at the same keyframes, so segments of the
 * same number cover the same instants in every rendition. A restarted transcoder's rungs start
 * again that way, as new renditions (a playlist cannot skip the segments the restart lost).
 */
final class TranscodedLadder implements StreamConsumer, Transcoder.Output {
    private static final Logger log = LoggerFactory.getLogger(TranscodedLadder.class);
    /** Frames (about 4 s at 30 fps with audio) the transcoder may be behind before the hand-off drops. */
    private static final int HAND_OFF_FRAMES = 256;
    /** Source segment starts remembered for rungs to align to: far more than the transcoder's latency. */
    private static final int STARTS = 32;
    /** A rung keyframe this close (90 kHz) to a source segment start is that start (60-to-30 fps rounding). */
    private static final long SAME_INSTANT = 1_500;

    private final Renditions stream;
    private final String label;
    private final String type;
    private final String preset;
    private final TranscodeSlots slots;
    private final BiConsumer<String, Boolean> notice;
    private final Consumer<String> failed;

    // Owner thread.
    private boolean decided;
    private AudioConfig sourceAudio;
    private volatile Transcoder transcoder;
    private FrameHandOff handOff;
    private Ladder ladder = Ladder.PASSTHROUGH;
    private RungState[] states = new RungState[0];
    /** ADVANCED channels: audio_only from the transcoder's audio, fed by the rung at {@link #audioOnlyRung}; or null. */
    private TranscodedAudioOnly audioOnly;

    private int audioOnlyRung = -1;
    /**
     * Presentation times of the keyframes that started source segments: a rung's keyframe has the
     * source keyframe's pts (timestamps are copied), but not its dts when the source has B-frames
     * (OBS's x264 does) and the rung, encoded without them, has none.
     */
    private final long[] startPts = new long[STARTS];

    private final long[] startSequence = new long[STARTS];
    private int starts;
    private long lastSourceSequence = Long.MIN_VALUE;
    private volatile boolean ended;

    /**
     * @param notice told (owner thread) why the stream plays its source only though its type transcodes,
     *               and whether because of the cap (true) or because transcoding is off (false)
     */
    TranscodedLadder(
            Renditions stream,
            String label,
            String type,
            String preset,
            TranscodeSlots slots,
            BiConsumer<String, Boolean> notice) {
        this(stream, label, type, preset, slots, notice, why -> {});
    }

    /** @param failed told (owner thread) why a transcoder child was lost; the ladder restarts after it */
    TranscodedLadder(
            Renditions stream,
            String label,
            String type,
            String preset,
            TranscodeSlots slots,
            BiConsumer<String, Boolean> notice,
            Consumer<String> failed) {
        this.failed = failed;
        this.stream = stream;
        this.label = label;
        this.type = type;
        this.preset = preset;
        this.slots = slots;
        this.notice = notice;
    }

    /** The running transcoder, or null. Any thread (tests and operators). */
    Transcoder transcoder() {
        return transcoder;
    }

    // --- StreamConsumer (owner thread): the source

    @Override
    public void onSessionStart() {}

    @Override
    public void onVideoConfig(VideoConfig config) {
        if (!decided) {
            decided = true;
            decide(config);
        }
        if (handOff != null) {
            handOff.onVideoConfig(config);
        }
    }

    private void decide(VideoConfig config) {
        Ladder l = Ladders.forInput(type, preset, config.width(), config.height(), config.frameRate());
        if (!l.transcodes()) {
            return;
        }
        if (!slots.enabled()) {
            if (slots.announcesOff()) {
                notice.accept("Transcoding is off on this server; the stream plays its source rendition only.", false);
            }
            return;
        }
        if (!slots.tryAcquire()) {
            log.warn("stream {}: {} transcoded streams already (the cap), playing the source only", label, slots.max());
            notice.accept(
                    "The server transcodes at most " + slots.max()
                            + " streams at once; this stream plays its source rendition only.",
                    true);
            return;
        }
        ladder = l;
        stream.listSource(l.source());
        List<Rung> rungs = l.rungs();
        List<StreamRecorder.Offered> offered = new ArrayList<>(rungs.size() + 1);
        if (l.source()) {
            offered.add(new StreamRecorder.Offered(
                    null, config.width(), config.height(), (int) Math.round(config.frameRate())));
        }
        rungs.forEach(r -> offered.add(new StreamRecorder.Offered(r.name(), r.width(), r.height(), r.frameRate())));
        StreamRecorder.Selection recorded = stream.recorder().select(offered);
        states = new RungState[rungs.size()];
        for (int i = 0; i < states.length; i++) {
            states[i] =
                    new RungState(rungs.get(i), recorded.records(rungs.get(i).name()));
        }
        audioOnlyRung = l.audioOnlyRung();
        if (audioOnlyRung >= 0) {
            audioOnly = new TranscodedAudioOnly(stream, this::sourceSegmentAt);
        }
        transcoder = new Transcoder(label, l, this, System::nanoTime);
        handOff = new FrameHandOff(HAND_OFF_FRAMES, transcoder.feeder(), new TranscoderFeed(transcoder));
        handOff.onSessionStart();
        if (sourceAudio != null) {
            handOff.onAudioConfig(sourceAudio);
        }
    }

    @Override
    public void onAudioConfig(AudioConfig config) {
        sourceAudio = config; // may come before the video configuration that decides the ladder
        if (handOff != null) {
            handOff.onAudioConfig(config);
        }
    }

    @Override
    public void onFrame(MediaFrame frame) {
        if (handOff == null) {
            return;
        }
        if (frame.isVideo() && frame.isKeyframe()) {
            // The source rendition, attached first, has the frame: did it start a segment here?
            long sequence = stream.main().segmenter.nextSequence();
            if (sequence != lastSourceSequence) {
                lastSourceSequence = sequence;
                int i = starts++ % STARTS;
                startPts[i] = frame.pts();
                startSequence[i] = sequence;
            }
        }
        handOff.onFrame(frame);
    }

    @Override
    public void onTimedMetadata(TimedMetadata item) {
        for (RungState s : states) {
            s.metadata(item);
        }
        if (audioOnly != null) {
            audioOnly.metadata(item);
        }
    }

    @Override
    public void onDateRange(DateRange range) {
        for (RungState s : states) {
            s.dateRange(range);
        }
        if (audioOnly != null) {
            audioOnly.dateRange(range);
        }
    }

    @Override
    public void onSessionEnd() {
        ended = true;
        if (handOff != null) {
            handOff.onSessionEnd();
            handOff.close();
            transcoder.close();
            slots.release();
            handOff = null;
        }
        // What the rungs have of the session's last instants is listed, as the source lists its open segment;
        // what the transcoder had not yet given back is lost with it.
        for (RungState s : states) {
            s.finish();
            s.close();
        }
        if (audioOnly != null) {
            audioOnly.sessionEnd();
        }
    }

    /** The source segment whose keyframe is presented at {@code pts}, or -1 when none (as far as remembered). */
    private long sourceSegmentAt(long pts) {
        for (int n = 0; n < Math.min(starts, STARTS); n++) {
            int i = (starts - 1 - n) % STARTS;
            if (Math.abs(startPts[i] - pts) <= SAME_INSTANT) {
                return startSequence[i];
            }
        }
        return -1;
    }

    // --- Transcoder.Output (reader threads): hop to the owner

    @Override
    public void videoConfig(int generation, int rung, VideoConfig config) {
        onOwner(
                () -> {
                    RungState s = states[rung];
                    s.join(generation);
                    s.video = config;
                    if (rung == audioOnlyRung) {
                        audioOnly.videoConfig(config);
                    }
                    if (s.aligned) {
                        (s.pending != null ? s.pending : s.listed).onVideoConfig(config);
                        if (s.recording != null) {
                            s.recording.onVideoConfig(config);
                        }
                    }
                },
                List.of());
    }

    @Override
    public void audioConfig(int generation, int rung, AudioConfig config) {
        onOwner(
                () -> {
                    RungState s = states[rung];
                    s.join(generation);
                    s.audio = config;
                    if (rung == audioOnlyRung) {
                        audioOnly.audioConfig(config);
                    }
                    if (s.aligned) {
                        (s.pending != null ? s.pending : s.listed).onAudioConfig(config);
                        if (s.recording != null) {
                            s.recording.onAudioConfig(config);
                        }
                    }
                },
                List.of());
    }

    @Override
    public void frames(int generation, int rung, List<MediaFrame> frames) {
        onOwner(
                () -> {
                    try {
                        RungState s = states[rung];
                        s.join(generation);
                        for (int i = 0; i < frames.size(); i++) {
                            s.frame(frames.get(i));
                        }
                        stream.rungsFed();
                    } finally {
                        frames.forEach(MediaFrame::release);
                    }
                },
                frames);
    }

    @Override
    public void ended(int generation, String reason) {
        // Logged by the transcoder; the rungs go on listing what they have until the next child aligns.
    }

    @Override
    public void failed(int generation, String reason) {
        onOwner(
                () -> failed.accept("Transcoding interrupted (" + reason
                        + "); the transcoded renditions restart while the source plays on."),
                List.of());
    }

    private void onOwner(Runnable task, List<MediaFrame> frames) {
        EventExecutor owner = stream.owner();
        if (owner == null || ended) {
            frames.forEach(MediaFrame::release);
            return;
        }
        try {
            owner.execute(() -> {
                if (ended || stream.ended()) {
                    frames.forEach(MediaFrame::release);
                    return;
                }
                task.run();
            });
        } catch (RejectedExecutionException e) {
            frames.forEach(MediaFrame::release);
        }
    }

    /** One rung's output on the owner thread. */
    private final class RungState {
        final Rung rung;
        final int order;
        /** Whether the recording stores this rung. */
        final boolean recorded;
        /** fMP4 channels, recorded rungs: the recording's TS remux of the current child's output, or null. */
        RecordingConsumer recording;

        int generation;
        boolean aligned;
        long discontinuity;
        VideoConfig video;
        AudioConfig audio;
        /** The rendition listed for the rung, or null before its first segment. */
        Rendition listed;
        /** A new child's rendition until its first segment is finished, or null. */
        Rendition pending;

        long pendingFirst;

        RungState(Rung rung, boolean recorded) {
            this.rung = rung;
            this.recorded = recorded;
            this.order = ladder.rungs().indexOf(rung);
        }

        /** Output of a new child: wait for a keyframe where the source started a segment. */
        void join(int gen) {
            if (gen != generation) {
                generation = gen;
                aligned = false;
                if (order == audioOnlyRung) {
                    audioOnly.newChild();
                }
            }
        }

        void frame(MediaFrame f) {
            if (order == audioOnlyRung) {
                audioOnly.frame(f);
            }
            if (!aligned) {
                // Both configurations first: one arriving inside a segment would cut it short of the source's.
                if (!f.isVideo() || !f.isKeyframe() || video == null || sourceAudio != null && audio == null) {
                    return;
                }
                long sequence = sourceSegmentAt(f.pts());
                if (sequence < 0) {
                    return;
                }
                if (pending != null) {
                    pending.segmenter.close();
                }
                pending = stream.newRung(rung.name(), sequence, listed == null ? 0 : ++discontinuity, recorded);
                pendingFirst = sequence;
                start(pending);
                if (recorded) {
                    closeRecording(); // its open segment ends where the lost child's output ended
                    recording = stream.rungRecording(rung.name(), sequence);
                    if (recording != null) {
                        start(recording);
                    }
                }
                aligned = true;
            }
            Rendition target = pending != null ? pending : listed;
            target.onFrame(f);
            if (recording != null) {
                recording.onFrame(f);
            }
            // A new rendition replaces the listed one once it has a segment: the rung never goes unlisted.
            if (pending != null && pending.segmenter.nextSequence() > pendingFirst) {
                listed = pending;
                pending = null;
                stream.listRung(rung.name(), order, listed);
            }
        }

        private void start(StreamConsumer c) {
            c.onSessionStart();
            c.onVideoConfig(video);
            if (audio != null) {
                c.onAudioConfig(audio);
            }
        }

        private void closeRecording() {
            if (recording != null) {
                recording.segmenter.close();
                recording = null;
            }
        }

        void metadata(TimedMetadata item) {
            Rendition target = pending != null ? pending : listed;
            if (target != null) {
                target.onTimedMetadata(item);
            }
        }

        void dateRange(DateRange range) {
            Rendition target = pending != null ? pending : listed;
            if (target != null) {
                target.onDateRange(range);
            }
        }

        /** The session ended: the open segment is finished and listed, a new child's rendition too if it has one. */
        void finish() {
            if (pending != null) {
                pending.onSessionEnd();
                if (pending.segmenter.nextSequence() > pendingFirst) {
                    listed = pending;
                    pending = null;
                    stream.listRung(rung.name(), order, listed);
                }
            } else if (listed != null) {
                listed.onSessionEnd();
            }
        }

        void close() {
            if (recording != null) {
                recording.onSessionEnd(); // the last segment is recorded, as the source's is
                closeRecording();
            }
            if (pending != null) {
                pending.segmenter.close();
                pending = null;
            }
        }
    }
}
