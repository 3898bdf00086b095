package io.openivs.server.live.transcode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.ffmpeg.FfmpegExecutables;
import io.openivs.server.media.ladder.Ladder;
import io.openivs.server.media.ts.TsSegmentWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transcoded stream: feeds the source to a supervised ffmpeg child ({@link TranscodeCommand}) and
 * hands each rung's output to {@link Output} as frames on the source's timeline.
 *
 * <p>Threads: the source arrives on the feeder thread ({@link #feeder()}, one per stream, which a
 * {@code FrameHandOff} drains into this sink), which writes it as MPEG-TS to the child's stdin and
 * may block there; the owner thread never does, since the hand-off drops instead. Each child has a
 * reader thread per rung and one for stderr ({@link Child}). A child that exits, stops producing, or
 * falls more than {@link #MAX_LAG_TICKS} behind its input is killed by the watchdog (one thread for
 * all streams) and started again at the next source keyframe: at once the first time, then after a
 * backoff of 1 s doubling to 30 s (reset once a child has lived a minute). Each child is a new generation: its output is numbered so
 * the receiver can tell a restarted ladder from the one before.
 */
public final class Transcoder implements MediaSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Transcoder.class);
    /** Output more than this behind the input (90 kHz) means the child cannot keep up in real time. */
    static final long MAX_LAG_TICKS = 6L * MediaFrame.CLOCK_RATE;
    /** Grace after a start before silence counts: ffmpeg probes its input and x264 warms up. */
    static final long START_GRACE_NANOS = TimeUnit.SECONDS.toNanos(8);
    /** No output for this long from a child past its grace: stalled. */
    static final long SILENCE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The first restart is immediate (a crash is rare; the viewers of the rungs wait for it), later ones back off. */
    private static final long FIRST_BACKOFF_MS = 0;

    private static final long MIN_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;
    /** How long (source time) a child waits for the audio configuration before it starts without audio. */
    private static final long AUDIO_WAIT_TICKS = MediaFrame.CLOCK_RATE;

    private static final long HEALTHY_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final ByteBufAllocator INPUT_MEMORY = PooledByteBufAllocator.DEFAULT;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "transcode-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** Where a ladder's output goes; reader threads call it, one rung per thread, a generation at a time per rung. */
    public interface Output {
        void videoConfig(int generation, int rung, VideoConfig config);

        void audioConfig(int generation, int rung, AudioConfig config);

        /** Frames of one read, in order; the receiver owns and must release them. */
        void frames(int generation, int rung, List<MediaFrame> frames);

        /** A child of {@code generation} ended (exited, killed or failed to start); any thread. */
        default void ended(int generation, String reason) {}

        /**
         * A child of {@code generation} was lost (it exited, stalled, fell behind or did not start),
         * not stopped on purpose; a new one follows after the backoff. Any thread, after {@link #ended}.
         */
        default void failed(int generation, String reason) {}
    }

    private final String label;
    private final Ladder ladder;
    private final Output output;
    private final LongSupplier nanoClock;
    private final ExecutorService feeder;

    // Feeder thread.
    private VideoConfig videoConfig;
    private AudioConfig audioConfig;
    private volatile Child child;
    private TsSegmentWriter input;
    private long inputSequence;
    private long firstVideoPts = Long.MIN_VALUE;
    private long notBeforeNanos;
    private long backoffMs = FIRST_BACKOFF_MS;
    private int generation;
    private volatile boolean closed;
    private volatile int restarts;

    /** @param label the stream, for thread names and logs (no secrets) */
    public Transcoder(String label, Ladder ladder, Output output, LongSupplier nanoClock) {
        if (!ladder.transcodes()) {
            throw new IllegalArgumentException("nothing to transcode");
        }
        this.label = label;
        this.ladder = ladder;
        this.output = output;
        this.nanoClock = nanoClock;
        this.feeder = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "transcode-" + label + "-in");
            t.setDaemon(true);
            return t;
        });
    }

    /** The thread the source must arrive on. */
    public ExecutorService feeder() {
        return feeder;
    }

    public Ladder ladder() {
        return ladder;
    }

    /** Children started after the first. Any thread. */
    public int restarts() {
        return restarts;
    }

    /** Kills the running child, as the watchdog does when one stalls; for operators and tests. Any thread. */
    public void killChild() {
        Child c = child;
        if (c != null) {
            c.kill("killed");
        }
    }

    // --- MediaSink (feeder thread)

    @Override
    public void onSessionStart() {
        firstVideoPts = Long.MIN_VALUE;
        stopChild("session start");
    }

    @Override
    public void onVideoConfig(VideoConfig config) {
        if (videoConfig != null && !videoConfig.equals(config) && child != null) {
            stopChild("video configuration changed");
            notBeforeNanos = 0;
        }
        videoConfig = config;
    }

    @Override
    public void onAudioConfig(AudioConfig config) {
        if (child != null && !child.hasAudio()) {
            // ffmpeg maps its streams once: a child started before the audio must start again to carry it.
            stopChild("audio arrived");
            notBeforeNanos = 0;
        } else if (audioConfig != null && !audioConfig.equals(config) && child != null) {
            stopChild("audio configuration changed");
            notBeforeNanos = 0;
        }
        audioConfig = config;
    }

    @Override
    public void onFrame(MediaFrame frame) {
        if (closed) {
            return;
        }
        Child c = child;
        if (c != null && !c.alive()) {
            lost(c);
            c = null;
        }
        if (c == null) {
            if (!frame.isVideo()) {
                return;
            }
            if (firstVideoPts == Long.MIN_VALUE) {
                firstVideoPts = frame.pts();
            }
            if (!frame.isKeyframe()
                    || videoConfig == null
                    || nanoClock.getAsLong() - notBeforeNanos < 0
                    || audioConfig == null && frame.pts() - firstVideoPts < AUDIO_WAIT_TICKS) {
                return; // a publisher's audio configuration may follow its first keyframe: wait a moment for it
            }
            c = start();
            if (c == null) {
                return;
            }
        }
        input.startSegment(new SegmentStart(inputSequence++, false, videoConfig, audioConfig, 0));
        input.writeFrame(frame);
        ByteBuf ts = input.finishSegment();
        try {
            c.write(ts, frame.pts());
        } catch (IOException e) {
            c.kill("stdin closed: " + e.getMessage());
        } finally {
            ts.release();
        }
    }

    @Override
    public void onSessionEnd() {
        stopChild("session end");
    }

    /** Stops the child and the feeder. Any thread; the feeder finishes what it is doing first. */
    @Override
    public void close() {
        closed = true;
        Child c = child;
        if (c != null) {
            c.kill("closed"); // unblocks a feeder stuck writing to a stalled child
        }
        try {
            feeder.execute(() -> stopChild("closed"));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed before
        }
        feeder.shutdown();
    }

    private Child start() {
        int gen = ++generation;
        if (gen > 1) {
            restarts++;
        }
        input = new TsSegmentWriter(INPUT_MEMORY);
        try {
            Child c = new Child(label, gen, ladder, videoConfig, audioConfig != null, output, nanoClock);
            child = c;
            log.info(
                    "transcoder {} started child {} (pid {}): {}",
                    label,
                    gen,
                    c.pid(),
                    TranscodeCommand.describe(ladder));
            WATCHDOG.schedule(() -> watch(c), 1, TimeUnit.SECONDS);
            return c;
        } catch (IOException | RuntimeException e) {
            log.warn("transcoder {} could not start ffmpeg: {}", label, e.toString());
            output.ended(gen, "start failed");
            output.failed(gen, "ffmpeg did not start");
            backOff();
            return null;
        }
    }

    /** Watchdog thread: kills a child that stalled or fell behind; reschedules itself while it lives. */
    private void watch(Child c) {
        if (!c.alive()) {
            return;
        }
        long now = nanoClock.getAsLong();
        String why = c.unhealthy(now);
        if (why != null) {
            c.kill(why);
            return;
        }
        String usage = c.usage(now);
        if (usage != null) {
            log.info("transcoder {} child {}: {}; {} restart(s) so far", label, c.generation(), usage, restarts);
        }
        WATCHDOG.schedule(() -> watch(c), 1, TimeUnit.SECONDS);
    }

    /** Feeder thread: the child went; the next one starts after the backoff. */
    private void lost(Child c) {
        child = null;
        closeInput();
        c.close();
        if (nanoClock.getAsLong() - c.startedNanos() > HEALTHY_NANOS) {
            backoffMs = FIRST_BACKOFF_MS;
        }
        log.warn(
                "transcoder {}: child {} ended ({}) after {} s and {} s of CPU, restarting in {} ms; {} restart(s) before",
                label,
                c.generation(),
                c.reason(),
                (nanoClock.getAsLong() - c.startedNanos()) / 1_000_000_000L,
                String.format(java.util.Locale.ROOT, "%.1f", c.cpuSeconds()),
                backoffMs,
                restarts);
        output.ended(c.generation(), c.reason());
        output.failed(c.generation(), c.reason());
        backOff();
    }

    private void backOff() {
        notBeforeNanos = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
        backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, backoffMs * 2));
    }

    private void stopChild(String reason) {
        Child c = child;
        if (c != null) {
            child = null;
            c.kill(reason);
            c.close();
            output.ended(c.generation(), reason);
        }
        closeInput();
    }

    private void closeInput() {
        if (input != null) {
            input.close();
            input = null;
        }
    }

    /** ffmpeg's stdin as a sink for TS bytes, without a copy when the buffer has an array. */
    static void writeTo(OutputStream out, ByteBuf buf) throws IOException {
        if (buf.hasArray()) {
            out.write(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
        } else {
            buf.getBytes(buf.readerIndex(), out, buf.readableBytes());
        }
    }

    /** The bundled ffmpeg: its -gpl build has libx264, and the unix protocol the rung outputs connect over. */
    static String ffmpeg() throws IOException {
        return FfmpegExecutables.ffmpeg();
    }
}
