package io.openivs.server.live;

import io.netty.util.ReferenceCountUtil;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.DateRange;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Attaches a consumer that runs on a thread of its own (a transcoder, an edge relay) to a stream: the
 * owner thread offers into a bounded ring and goes on; the consumer's executor drains it. When the
 * consumer falls behind, frames are dropped and counted rather than ingest stalled: a dropped video
 * frame also drops the video frames after it up to the next keyframe, which a decoder needs to
 * resume. Session starts and ends, configs, metadata and date ranges are rare and have a reserve of
 * slots frames may not use, so a consumer that keeps up with nothing else still hears of them.
 *
 * <p>The offer is lock-free (a bounded MPMC ring after Dmitry Vyukov's: one CAS, no allocation);
 * frames are retained while queued and released after the consumer's call, when dropped, or on
 * {@link #close()}. Drop-and-gap state belongs to the producer: offers come from one thread at a time
 * (the stream's owner), which a live stream guarantees. The consumer's executor is woken once per
 * batch, not per frame; an event loop (whose task queue is lock-free too) keeps that free of locks.
 */
public final class FrameHandOff implements StreamConsumer, AutoCloseable {
    /** Slots kept for everything but frames. */
    static final int RESERVE = 16;

    private static final Object SESSION_START = new Object();
    private static final Object SESSION_END = new Object();

    private final StreamConsumer consumer;
    private final Executor executor;
    private final int frameCapacity;
    private final int mask;
    private final AtomicReferenceArray<Object> items;
    private final AtomicLongArray sequences;
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainScheduled;
    private volatile boolean closed;
    /** Producer: a video frame was dropped, so video waits for the next keyframe. */
    private boolean videoGap;

    /**
     * @param frameCapacity how many items may be waiting when a frame is offered: beyond it the frame is dropped
     * @param executor the consumer's thread: it drains the ring there, calling {@code consumer}
     */
    public FrameHandOff(int frameCapacity, Executor executor, StreamConsumer consumer) {
        if (frameCapacity < 1) {
            throw new IllegalArgumentException("frameCapacity " + frameCapacity);
        }
        int slots = Integer.highestOneBit(frameCapacity + RESERVE - 1) << 1;
        this.frameCapacity = frameCapacity;
        this.mask = slots - 1;
        this.items = new AtomicReferenceArray<>(slots);
        this.sequences = new AtomicLongArray(slots);
        for (int i = 0; i < slots; i++) {
            sequences.set(i, i);
        }
        this.executor = executor;
        this.consumer = consumer;
    }

    /** Items (frames or others) dropped because the consumer was behind. Any thread. */
    public long dropped() {
        return dropped.get();
    }

    /** Items waiting for the consumer. Any thread; a moment's view. */
    public int queued() {
        return (int) Math.max(0, tail.get() - head.get());
    }

    // --- owner thread

    @Override
    public void onFrame(MediaFrame frame) {
        if (closed) {
            return;
        }
        boolean video = frame.isVideo();
        if (video && videoGap && !frame.isKeyframe()) {
            dropped.incrementAndGet();
            return;
        }
        if (tail.get() - head.get() >= frameCapacity || !offer(frame.retain(), true)) {
            dropped.incrementAndGet();
            videoGap |= video;
            return;
        }
        if (video) {
            videoGap = false;
        }
        wake();
    }

    @Override
    public void onSessionStart() {
        videoGap = false;
        control(SESSION_START);
    }

    @Override
    public void onVideoConfig(VideoConfig config) {
        control(config);
    }

    @Override
    public void onAudioConfig(AudioConfig config) {
        control(config);
    }

    @Override
    public void onTimedMetadata(TimedMetadata item) {
        control(item);
    }

    @Override
    public void onDateRange(DateRange range) {
        control(range);
    }

    @Override
    public void onSessionEnd() {
        control(SESSION_END);
    }

    private void control(Object item) {
        if (closed) {
            return;
        }
        if (!offer(item, false)) {
            dropped.incrementAndGet();
            return;
        }
        wake();
    }

    /** False when the ring is full; a frame not taken is released ({@code retained}: it was retained for this). */
    private boolean offer(Object item, boolean retained) {
        long pos = tail.get();
        while (true) {
            int i = (int) pos & mask;
            long diff = sequences.get(i) - pos;
            if (diff == 0) {
                if (tail.compareAndSet(pos, pos + 1)) {
                    items.lazySet(i, item);
                    sequences.set(i, pos + 1); // publishes the item
                    break;
                }
                pos = tail.get();
            } else if (diff < 0) {
                if (retained) {
                    ReferenceCountUtil.release(item);
                }
                return false; // full
            } else {
                pos = tail.get();
            }
        }
        if (closed) {
            releaseQueued(); // closed while offering: nobody drains any more
        }
        return true;
    }

    private void wake() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(drainTask);
            } catch (RejectedExecutionException e) {
                close(); // the consumer's thread is shutting down
            }
        }
    }

    // --- consumer thread

    private Object poll() {
        long pos = head.get();
        while (true) {
            int i = (int) pos & mask;
            long diff = sequences.get(i) - (pos + 1);
            if (diff == 0) {
                if (head.compareAndSet(pos, pos + 1)) {
                    Object item = items.get(i);
                    items.lazySet(i, null);
                    sequences.set(i, pos + mask + 1); // frees the slot for the lap after
                    return item;
                }
                pos = head.get();
            } else if (diff < 0) {
                return null; // empty
            } else {
                pos = head.get();
            }
        }
    }

    private void drainScheduled() {
        while (true) {
            drain();
            scheduled.set(false);
            if (tail.get() == head.get() || !scheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /** Hands everything queued to the consumer. Consumer thread (the executor calls it; tests may too). */
    void drain() {
        Object item;
        while (!closed && (item = poll()) != null) {
            deliver(item);
        }
    }

    private void deliver(Object item) {
        if (item instanceof MediaFrame frame) {
            try {
                consumer.onFrame(frame);
            } finally {
                frame.release();
            }
        } else if (item == SESSION_START) {
            consumer.onSessionStart();
        } else if (item == SESSION_END) {
            consumer.onSessionEnd();
        } else if (item instanceof VideoConfig v) {
            consumer.onVideoConfig(v);
        } else if (item instanceof AudioConfig a) {
            consumer.onAudioConfig(a);
        } else if (item instanceof TimedMetadata m) {
            consumer.onTimedMetadata(m);
        } else if (item instanceof DateRange r) {
            consumer.onDateRange(r);
        }
    }

    /** Detaches: queued frames are released and later offers ignored. Any thread. */
    @Override
    public void close() {
        closed = true;
        releaseQueued();
    }

    private void releaseQueued() {
        Object item;
        while ((item = poll()) != null) {
            ReferenceCountUtil.release(item);
        }
    }
}
