package io.openivs.server.media.hls;

import io.netty.buffer.ByteBuf;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.GrowingSegmentWriter;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.PartialSegmentWriter;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.SegmentWriter;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.id3.Id3Tag;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Decides where live HLS segments begin and end, and keeps a sliding window of finished ones.
 * A segment starts on a video keyframe (any audio frame for audio-only streams) and ends at the
 * first keyframe once the target duration is about reached; its bytes come from a
 * {@link SegmentWriter}, so the container is not this class's concern.
 *
 * <p>The next segment is marked as a discontinuity when a new publisher session starts, when the
 * codec configuration changes, or when timestamps jump forward by more than the configured
 * threshold or back by more than half a second. The output timeline runs on across such joins
 * (see {@link SegmentStart#timestampOffset()}).
 *
 * <p>A segment's program date-time is the wall-clock arrival of its first frame, not a date
 * extrapolated from the media clock: a player's {@code playingDate} then tells how long ago the
 * frame on screen reached the server (the arrival-to-display latency), and an encoder whose clock
 * drifts, or that stalls, does not carry the playlist's dates away from real time. Dates never go
 * back, so a burst of frames (an encoder catching up) gives dates a millisecond apart at least.
 *
 * <p>Timed metadata and date ranges (ad breaks) go into the segment being written, at the live
 * edge; while no segment is open they wait for the next one and start with it.
 *
 * <p>With {@link #cutParts} it also cuts LL-HLS partial segments inside each segment: a part
 * ends before the first frame (of the track segments are cut on) that would take it past the
 * part target, so no part is longer than the target and each lasts until the next one starts.
 * Within a part each video frame, with the audio that came after it, is closed as a CMAF chunk
 * once the next video frame gives its duration (without video, about 100 ms of audio is): a
 * viewer may {@link #followPart follow} the part being written chunk by chunk.
 *
 * <p>A viewer may also {@link #followSegment follow} the whole segment being written (the LHLS
 * prefetch form): an MPEG-TS segment as its packets are written, an fMP4 one chunk by chunk when
 * parts are cut ({@link SegmentFollowers}).
 *
 * <p>Driven by the live stream's owner thread only; {@link #segments()} hands out a snapshot.
 *
 * <p>A little over 500 lines on purpose: segment cuts, part cuts, discontinuities and the pending
 * metadata all decide on the same frame with the same state, and split apart they would pass that
 * state back and forth on every frame.
 */
public final class Segmenter implements MediaSink, AutoCloseable {

    private static final long NONE = Long.MIN_VALUE;
    private static final long MAX_BACKWARD_STEP = MediaFrame.CLOCK_RATE / 2;
    /** Items waiting for a segment; more than this while nothing is written are dropped, oldest first. */
    private static final int MAX_WAITING = 32;
    /** Without video a chunk gathers a few AAC frames: a moof per 21 ms frame would cost a third of the bytes. */
    private static final long AUDIO_ONLY_CHUNK_TICKS = MediaFrame.CLOCK_RATE / 10;

    private final SegmentWriter writer;
    private final LongSupplier wallClockMillis;
    private final Consumer<Segment> onSegment;
    private final int windowSize;
    private final long targetTicks;
    private final long cutTicks;
    private final long jumpTicks;
    private final ArrayDeque<Segment> window = new ArrayDeque<>();
    private final ArrayDeque<TimedMetadata> waitingMetadata = new ArrayDeque<>();
    private final ArrayDeque<DateRange> waitingRanges = new ArrayDeque<>();
    private final List<DateRange> segmentRanges = new ArrayList<>();

    private VideoConfig videoConfig;
    private AudioConfig audioConfig;

    private boolean open;
    private long startDts;
    private long startPts;
    private long presentationEnd;
    private long startWallClock;
    private boolean startsDiscontinuity;
    private VideoConfig segmentVideo;
    private AudioConfig segmentAudio;

    private boolean pendingDiscontinuity;
    private boolean producedAny;
    private long nextSequence;
    private long discontinuitySequence;
    private long longestTicks;

    private final long[] lastDts = {NONE, NONE};
    private final long[] lastOutputDts = {NONE, NONE};
    private long offset;
    private long outputEnd;
    private long videoFrameTicks;
    private long audioOnlySince = NONE;
    private long lastWallClock = NONE;
    private long livePts = NONE;
    private boolean stampLatency;

    // LL-HLS parts: off while partTargetTicks is 0.
    private long partTargetTicks;
    private Runnable onChange = () -> {};
    private long partStartDts;
    private long chunkStartDts;
    private final List<Part> openParts = new ArrayList<>();
    /** Chunks of the part being written, each a view this class owns; the part holds the same bytes. */
    private final List<ByteBuf> openChunks = new ArrayList<>();

    private final List<PartFollower> followers = new ArrayList<>();
    private final SegmentFollowers segmentFollowers;

    /**
     * @param wallClockMillis epoch milliseconds, read as each segment's first frame arrives
     * @param onSegment told of each finished segment, which it borrows ({@link Segment#retainedData()} to keep bytes)
     */
    public Segmenter(
            SegmenterConfig config, SegmentWriter writer, LongSupplier wallClockMillis, Consumer<Segment> onSegment) {
        this.writer = writer;
        this.wallClockMillis = wallClockMillis;
        this.onSegment = onSegment;
        this.windowSize = config.windowSize();
        this.targetTicks = config.targetDuration().toMillis() * (MediaFrame.CLOCK_RATE / 1000);
        // Keyframes placed "every 2 s" land a frame early after millisecond rounding: still cut there.
        this.cutTicks = targetTicks - targetTicks / 10;
        this.jumpTicks = config.jumpThreshold().toMillis() * (MediaFrame.CLOCK_RATE / 1000);
        this.segmentFollowers = new SegmentFollowers(writer instanceof GrowingSegmentWriter g ? g : null);
    }

    /**
     * Cuts partial segments of at most {@code partTarget}; call before the first frame. Needs a
     * {@link PartialSegmentWriter}.
     *
     * @param onChange run on this thread after each finished part and segment (and nothing else)
     */
    public void cutParts(Duration partTarget, Runnable onChange) {
        if (!(writer instanceof PartialSegmentWriter)) {
            throw new IllegalStateException(writer.extension() + " segments cannot be cut into parts");
        }
        this.partTargetTicks = partTarget.toNanos() * MediaFrame.CLOCK_RATE / 1_000_000_000L;
        this.onChange = onChange;
    }

    /**
     * Starts every segment with a latency stamp ({@link Id3Tag#segmentMetadata}: the arrival of its first
     * frame, the same instant as its program date-time), from which the Amazon IVS player reports its
     * live latency; call before the first frame. For live playback, not recordings.
     */
    public void stampLatency() {
        this.stampLatency = true;
    }

    /** The part target in 90 kHz ticks, 0 when parts are not cut. */
    public long partTargetTicks() {
        return partTargetTicks;
    }

    /** Whether the segment being written, or else the next one, follows a discontinuity. */
    public boolean nextStartsDiscontinuity() {
        return open ? startsDiscontinuity : pendingDiscontinuity;
    }

    /** Program date-time of the segment being written, {@link Long#MIN_VALUE} between segments. */
    public long programDateTimeInProgress() {
        return open ? startWallClock : NONE;
    }

    /**
     * Whether part {@code index} of segment {@code sequence} is the one being written now (what
     * the preload hint names), so {@link #followPart} can send it as it grows.
     */
    public boolean isWritingPart(long sequence, int index) {
        return open && partTargetTicks > 0 && sequence == nextSequence && index == openParts.size();
    }

    /**
     * Hands {@code follower} the chunks of the part being written: those closed so far at once,
     * each later one as it is closed, then the part's end. Call when {@link #isWritingPart}.
     */
    public void followPart(PartFollower follower) {
        if (!open || partTargetTicks == 0) {
            throw new IllegalStateException("no part being written");
        }
        for (ByteBuf chunk : openChunks) {
            if (!follower.onChunk(chunk)) {
                return;
            }
        }
        followers.add(follower);
    }

    /** The segment being (or next to be) written, for the LHLS prefetch form. */
    public Prefetch prefetch() {
        return new Prefetch(nextSequence, open, nextStartsDiscontinuity());
    }

    /**
     * Whether segment {@code sequence} is being written now and can be {@link #followSegment followed}:
     * an MPEG-TS one, or an fMP4 one when parts (and so chunks) are cut.
     */
    public boolean isWritingSegment(long sequence) {
        return open && sequence == nextSequence && (writer instanceof GrowingSegmentWriter || partTargetTicks > 0);
    }

    /**
     * Hands {@code follower} the bytes of the segment being written: those written so far at once,
     * then the rest as it is written, then the segment's end. Call when {@link #isWritingSegment}.
     */
    public void followSegment(SegmentFollower follower) {
        if (!isWritingSegment(nextSequence)) {
            throw new IllegalStateException("no segment being written that can be followed");
        }
        List<ByteBuf> soFar = new ArrayList<>(openParts.size() + openChunks.size());
        for (Part p : openParts) {
            soFar.add(p.data());
        }
        soFar.addAll(openChunks);
        segmentFollowers.add(follower, soFar);
    }

    /** The finished parts of the segment being written, oldest first (empty between segments). */
    public List<Part> partsInProgress() {
        return List.copyOf(openParts);
    }

    @Override
    public void onSessionStart() {
        endSegment();
        pendingDiscontinuity |= producedAny;
        forgetTimeline();
    }

    @Override
    public void onVideoConfig(VideoConfig config) {
        if (!config.equals(videoConfig)) {
            videoConfig = config;
            encodingChanged();
        }
    }

    @Override
    public void onAudioConfig(AudioConfig config) {
        if (!config.equals(audioConfig)) {
            audioConfig = config;
            encodingChanged();
        }
    }

    @Override
    public void onFrame(MediaFrame frame) {
        boolean video = frame.isVideo();
        if (video ? videoConfig == null : audioConfig == null) {
            return;
        }
        long dts = frame.dts();
        int track = frame.track().ordinal();
        if (lastDts[track] != NONE && isJump(dts - lastDts[track])) {
            endSegment();
            pendingDiscontinuity = true;
            forgetTimeline();
        }
        if (video && lastDts[track] != NONE && dts > lastDts[track]) {
            videoFrameTicks = dts - lastDts[track];
        }
        lastDts[track] = dts;
        livePts = livePts == NONE ? frame.pts() : Math.max(livePts, frame.pts());

        // Audio can be cut at any frame, so only keyframes get the early-cut allowance.
        if (open && isCutPoint(frame) && dts - startDts >= (videoConfig != null ? cutTicks : targetTicks)) {
            finishSegment(dts);
        }
        if (!open) {
            if (!isCutPoint(frame)) {
                return; // a segment must start where a decoder can
            }
            startSegment(dts, frame.pts());
        } else if (partTargetTicks > 0 && (video || videoConfig == null) && dts > partStartDts) {
            long frameTicks = video ? videoFrameTicks : audioConfig.frameDurationTicks();
            if (dts - partStartDts + Math.max(1, frameTicks) > partTargetTicks) {
                finishPart(dts);
                onChange.run();
            } else if (video || dts - chunkStartDts >= AUDIO_ONLY_CHUNK_TICKS) {
                finishChunk(dts);
            }
        }
        long outputDts = dts + offset;
        if (outputDts <= lastOutputDts[track]) {
            return; // would step back across a join of timelines, e.g. audio slightly ahead of a reconnect's keyframe
        }
        lastOutputDts[track] = outputDts;
        if (video || videoConfig == null) {
            // Durations follow the track segments are cut on, so a longer audio tail does not stretch the last one.
            long frameTicks = video ? videoFrameTicks : audioConfig.frameDurationTicks();
            presentationEnd = Math.max(presentationEnd, frame.pts() + frameTicks);
        }
        writer.writeFrame(frame);
        segmentFollowers.catchUp();
    }

    @Override
    public void onSessionEnd() {
        endSegment();
    }

    /** Writes {@code item} into the open segment, no earlier than its start, or keeps it for the next one. */
    @Override
    public void onTimedMetadata(TimedMetadata item) {
        if (open) {
            writer.writeMetadata(item.pts() >= startPts ? item : item.at(startPts));
        } else {
            hold(waitingMetadata, item);
        }
    }

    /**
     * Adds a date range starting at the live edge: its start date becomes the wall-clock time of
     * the newest frame of the open segment, or the start of the next segment when none is open.
     */
    public void addDateRange(DateRange range) {
        if (open) {
            long edge = Math.max(livePts, startPts);
            segmentRanges.add(range.startingAt(startWallClock + (edge - startPts) / (MediaFrame.CLOCK_RATE / 1000)));
        } else {
            hold(waitingRanges, range);
        }
    }

    /** Presentation time of the newest frame, on the frames' clock; {@link Long#MIN_VALUE} before any. */
    public long livePts() {
        return livePts;
    }

    private static <T> void hold(ArrayDeque<T> queue, T item) {
        if (queue.size() == MAX_WAITING) {
            queue.removeFirst();
        }
        queue.addLast(item);
    }

    /** The finished segments in the window, oldest first. */
    public List<Segment> segments() {
        return List.copyOf(window);
    }

    /**
     * EXT-X-TARGETDURATION: the longest segment so far rounded to the nearest second, as RFC 8216
     * 4.3.3.1 requires (so a 2.001 s segment from millisecond timestamps keeps it at 2), and never
     * below the configured target, so it does not change while the stream behaves.
     */
    public int targetDurationSeconds() {
        long ticks = Math.max(targetTicks, longestTicks);
        return (int) Math.max(1, (ticks + MediaFrame.CLOCK_RATE / 2) / MediaFrame.CLOCK_RATE);
    }

    /**
     * Where numbering starts, before any segment: live segment URLs are cached as immutable, so a new
     * session of a channel must not reuse an earlier session's numbers (see LiveStream).
     */
    public void startNumbersAt(long sequence, long discontinuity) {
        if (producedAny || open) {
            throw new IllegalStateException("numbering starts before the first segment");
        }
        nextSequence = sequence;
        discontinuitySequence = discontinuity;
    }

    /** Sequence number the next finished segment will get. */
    public long nextSequence() {
        return nextSequence;
    }

    public VideoConfig videoConfig() {
        return videoConfig;
    }

    public AudioConfig audioConfig() {
        return audioConfig;
    }

    /**
     * What a successor needs to continue this segmenter's playlist after a publisher reconnects: the
     * window (whose bytes it now owns), the numbering and where the output timeline ended.
     */
    public record Continuation(
            List<Segment> window,
            long nextSequence,
            long discontinuitySequence,
            long outputEnd,
            long longestTicks,
            boolean producedAny) {
        /** Releases the window's bytes, for a continuation nobody took up. */
        public void release() {
            window.forEach(Segment::release);
        }
    }

    /** Like {@link #close()}, but hands the window over instead of releasing it. */
    public Continuation handOver() {
        open = false;
        segmentFollowers.dropped();
        openParts.forEach(Part::release);
        openParts.clear();
        endChunks();
        writer.close();
        Continuation c = new Continuation(
                List.copyOf(window), nextSequence, discontinuitySequence, outputEnd, longestTicks, producedAny);
        window.clear();
        return c;
    }

    /**
     * Continues a predecessor's playlist, before any frame: its segments stay listed, numbering
     * runs on, and the next segment starts a discontinuity on the timeline where it ended.
     */
    public void continueFrom(Continuation c) {
        for (Segment segment : c.window()) {
            window.addLast(segment);
        }
        while (window.size() > windowSize) {
            window.removeFirst().release();
        }
        nextSequence = c.nextSequence();
        discontinuitySequence = c.discontinuitySequence();
        outputEnd = c.outputEnd();
        longestTicks = Math.max(longestTicks, c.longestTicks());
        producedAny |= c.producedAny();
        pendingDiscontinuity |= producedAny;
    }

    /**
     * Before any frame: this playlist continues one served elsewhere (another node, now gone), whose
     * segments it cannot list. Its first segment is marked as a discontinuity, so a player that read the
     * other playlist under the same URL knows the timeline breaks there.
     */
    public void followsLostPlaylist() {
        if (producedAny || open) {
            throw new IllegalStateException("a playlist is joined before its first segment");
        }
        pendingDiscontinuity = true;
    }

    /** Drops the segment in progress and releases the window and the writer. */
    @Override
    public void close() {
        open = false;
        segmentFollowers.dropped();
        waitingMetadata.clear();
        waitingRanges.clear();
        segmentRanges.clear();
        openParts.forEach(Part::release);
        openParts.clear();
        endChunks();
        writer.close();
        while (!window.isEmpty()) {
            window.removeFirst().release();
        }
    }

    /**
     * Forward gaps up to the threshold are a stalled encoder and play on; going back is never
     * normal within a track, and more than a little would otherwise drop frames until time caught up.
     */
    private boolean isJump(long step) {
        return step > jumpTicks || step < -Math.min(jumpTicks, MAX_BACKWARD_STEP);
    }

    private boolean isCutPoint(MediaFrame frame) {
        if (videoConfig != null) {
            return frame.isVideo() && frame.isKeyframe();
        }
        if (open) {
            return true;
        }
        // Audio may come first on a stream that has video too: only go audio-only after a target duration without
        // video.
        if (audioOnlySince == NONE) {
            audioOnlySince = frame.dts();
        }
        return frame.dts() - audioOnlySince >= targetTicks;
    }

    private void encodingChanged() {
        if (open) {
            endSegment();
            pendingDiscontinuity = true;
        }
    }

    private void forgetTimeline() {
        lastDts[0] = NONE;
        lastDts[1] = NONE;
        videoFrameTicks = 0;
        audioOnlySince = NONE;
        livePts = NONE;
    }

    private void startSegment(long dts, long pts) {
        startsDiscontinuity = pendingDiscontinuity;
        pendingDiscontinuity = false;
        if (startsDiscontinuity) {
            discontinuitySequence++;
            // Players cope better with a timeline that runs on than with one that restarts.
            offset = outputEnd - dts;
        }
        writer.startSegment(new SegmentStart(nextSequence, startsDiscontinuity, videoConfig, audioConfig, offset));
        segmentVideo = writer.writesVideo() ? videoConfig : null;
        segmentAudio = audioConfig;
        open = true;
        startDts = dts;
        startPts = pts;
        presentationEnd = pts;
        partStartDts = dts;
        chunkStartDts = dts;
        // This runs on the frame that starts the segment, as it arrives.
        startWallClock = lastWallClock == NONE
                ? wallClockMillis.getAsLong()
                : Math.max(lastWallClock + 1, wallClockMillis.getAsLong());
        lastWallClock = startWallClock;
        if (stampLatency) {
            writer.writeMetadata(new TimedMetadata(pts, Id3Tag.segmentMetadata(startWallClock), true));
        }
        // What waited for a segment happens at its start: the live edge when it was asked for.
        while (!waitingMetadata.isEmpty()) {
            writer.writeMetadata(waitingMetadata.removeFirst().at(pts));
        }
        while (!waitingRanges.isEmpty()) {
            segmentRanges.add(waitingRanges.removeFirst().startingAt(startWallClock));
        }
    }

    /**
     * Ends the open segment where its last frame ends in presentation order (with no next segment
     * to measure against). Measuring by decode time would leave out a reordered frame shown after
     * the last decoded one, and the next timeline joined on would collide with it.
     */
    private void endSegment() {
        if (open) {
            finishSegment(startDts + (presentationEnd - startPts));
        }
    }

    /** Closes what was written since the last chunk as the next chunk of the part; {@code end} as for {@link #finishPart}. */
    private void finishChunk(long end) {
        ByteBuf chunk = ((PartialSegmentWriter) writer).finishChunk(end);
        chunkStartDts = end;
        if (chunk != null) {
            openChunks.add(chunk);
            if (!followers.isEmpty()) {
                followers.removeIf(f -> !f.onChunk(chunk));
            }
            segmentFollowers.send(chunk);
        }
    }

    /**
     * Closes the part in progress, which ends at {@code end} (input decode time: the next video
     * frame's when a frame ends it).
     */
    private void finishPart(long end) {
        PartialSegmentWriter partial = (PartialSegmentWriter) writer;
        finishChunk(end);
        boolean independent = partial.fragmentIsIndependent();
        ByteBuf data = partial.finishFragment();
        segmentFollowers.partEnded(data);
        if (data != null) {
            openParts.add(new Part(nextSequence, openParts.size(), Math.max(1, end - partStartDts), independent, data));
        }
        partStartDts = end;
        endChunks();
    }

    /** The part being written is finished or dropped: its chunk views go, its followers are told. */
    private void endChunks() {
        openChunks.forEach(ByteBuf::release);
        openChunks.clear();
        if (!followers.isEmpty()) {
            List<PartFollower> done = List.copyOf(followers);
            followers.clear();
            done.forEach(PartFollower::partEnded);
        }
    }

    private void finishSegment(long end) {
        open = false;
        if (partTargetTicks > 0) {
            finishPart(end);
        }
        ByteBuf data = writer.finishSegment();
        segmentFollowers.finished(data);
        long duration = Math.max(1, end - startDts);
        outputEnd = end + offset;
        Segment segment = Segment.builder(nextSequence++, duration, data)
                .discontinuity(startsDiscontinuity, discontinuitySequence)
                .programDateTime(startWallClock)
                .tracks(segmentVideo, segmentAudio)
                .dateRanges(segmentRanges)
                .parts(openParts)
                .build();
        segmentRanges.clear();
        openParts.clear();
        producedAny = true;
        longestTicks = Math.max(longestTicks, duration);
        window.addLast(segment);
        while (window.size() > windowSize) {
            window.removeFirst().release();
        }
        onSegment.accept(segment);
        onChange.run();
    }
}
