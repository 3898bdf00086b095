package io.openivs.server.live;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * How much of the newest media the publisher's socket may gather before the event loop wakes for it
 * ({@link io.openivs.server.ingest.IngestConnection#receiveInBatches}). The heartbeat allows a batch
 * from the measured bitrate; the owner thread applies it per accepted frame, except around keyframes.
 *
 * <p>The allowance: {@link #RECEIVE_BATCH_MS} of media, a power of two from 1 KiB to
 * {@link #MAX_RECEIVE_BATCH} (16 KiB from about 0.82 Mbps, 8 KiB from 0.41), or none. No viewer sees a
 * frame before its segment is listed, and the keyframe that ends a segment comes while nothing is
 * batched, so only LL-HLS (parts) would notice, and those channels are not batched (bench/ingest
 * README has the figures). None either while media does not move (the publisher stalled or is about
 * to unpublish: what it sent last must not wait in the kernel).
 *
 * <p>Around keyframes: from shortly before the next keyframe is due (by the wall clock: frames held
 * back must not hide that it is near) until it is here, nothing is batched. An encoder with Nagle's
 * algorithm on (ffmpeg's default) sends nothing more until its last segment is acknowledged, and the
 * kernel delays acknowledging bytes left unread (by tens of ms, up to 200): the frame that ends a
 * segment must not wait for that. A keyframe that comes early (a scene cut) may; the GOP is judged
 * from the last two keyframes. A check at least every {@link #HOLD_CHECK_MS} ends the batching when
 * the keyframe is due or media stopped (a publisher that paused, or unpublished without closing).
 */
final class ReceiveBatching {
    static final long RECEIVE_BATCH_MS = 160;
    static final int MAX_RECEIVE_BATCH = 16 * 1024;
    /** Receives are not batched from this long before the next keyframe is due until it is here. */
    static final long KEYFRAME_GUARD_MS = 150;
    /** While batching, at least this often: is media still coming, is a keyframe due? */
    static final long HOLD_CHECK_MS = 1000;

    /** Runs a task on the owner thread after a delay (the owner's event loop in production). */
    interface Timer {
        Future<?> schedule(Runnable task, long delayMs);
    }

    private final boolean lowLatency;
    private final LongSupplier nanoTime;
    private final Runnable checkHold = this::checkHold;
    /** The batch the measured bitrate allows (0: none); written by the heartbeat. */
    private volatile int allowed;

    // Owner thread.
    private IntConsumer socket;
    private Timer timer;
    private boolean stopped;
    private long lastKeyframeMs = -1;
    private long keyframeIntervalMs = -1;
    /** nanoTime from which the next keyframe may come (its interval less the guard). */
    private long keyframeDueNanos;

    private int applied;
    private Future<?> holdCheck;
    private boolean mediaSinceCheck;

    /** @param lowLatency LL-HLS: parts are listed as frames arrive, so receives are never batched */
    ReceiveBatching(boolean lowLatency, LongSupplier nanoTime) {
        this.lowLatency = lowLatency;
        this.nanoTime = nanoTime;
    }

    /** The batch for {@code bitsPerSecond}; see the class comment. */
    static int batchFor(boolean lowLatency, boolean mediaMoved, long bitsPerSecond) {
        if (lowLatency || !mediaMoved) {
            return 0;
        }
        long bytes = Math.min(MAX_RECEIVE_BATCH, bitsPerSecond / 8 * RECEIVE_BATCH_MS / 1000);
        return bytes < 1024 ? 0 : Integer.highestOneBit((int) bytes);
    }

    /** Heartbeat: what the owner may apply until the next beat. */
    void allow(boolean mediaMoved, long bitsPerSecond) {
        allowed = batchFor(lowLatency, mediaMoved, bitsPerSecond);
    }

    int allowed() {
        return allowed;
    }

    /** Owner thread: the publisher started; {@code socket} applies a batch size. */
    void start(IntConsumer socket, Timer timer) {
        this.socket = socket;
        this.timer = timer;
    }

    /** Owner thread, per accepted unit of media. */
    void accepted(long timestampMs, boolean keyframe) {
        long now = nanoTime.getAsLong();
        mediaSinceCheck = true;
        if (keyframe) {
            if (lastKeyframeMs >= 0 && timestampMs > lastKeyframeMs) {
                keyframeIntervalMs = timestampMs - lastKeyframeMs;
            }
            lastKeyframeMs = timestampMs;
            keyframeDueNanos = now + TimeUnit.MILLISECONDS.toNanos(keyframeIntervalMs - KEYFRAME_GUARD_MS);
        }
        boolean keyframeDue = keyframeIntervalMs <= KEYFRAME_GUARD_MS || now - keyframeDueNanos >= 0;
        apply(keyframeDue ? 0 : allowed);
        if (applied > 0 && holdCheck == null) {
            armHoldCheck(now);
        }
    }

    /** Owner thread: the session ended. */
    void stop() {
        stopped = true;
        if (holdCheck != null) {
            holdCheck.cancel(false);
            holdCheck = null;
        }
    }

    /** The batch last applied to the socket. Owner thread. */
    int applied() {
        return applied;
    }

    private void armHoldCheck(long now) {
        mediaSinceCheck = false;
        long untilDue = TimeUnit.NANOSECONDS.toMillis(keyframeDueNanos - now);
        holdCheck = timer.schedule(checkHold, Math.max(1, Math.min(HOLD_CHECK_MS, untilDue)));
    }

    private void checkHold() {
        holdCheck = null;
        if (stopped || applied == 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (!mediaSinceCheck || now - keyframeDueNanos >= 0) {
            apply(0); // the next frame turns it back on when allowed
        } else {
            armHoldCheck(now);
        }
    }

    private void apply(int batch) {
        if (batch != applied && socket != null) {
            applied = batch;
            socket.accept(batch);
        }
    }
}
