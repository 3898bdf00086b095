package io.openivs.server.media.fmp4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.Arrays;

/**
 * The samples of one track in the fragment being built: their table (what {@code trun} lists)
 * and their bytes (this track's run inside {@code mdat}). A sample's duration is the distance to
 * the next sample's decode time; the last one in a fragment, having no successor yet, repeats
 * the previous distance. Times are in the track's timescale.
 */
final class TrackRun {

    /** Bytes a retained sample may keep alive beyond its own before {@link #append} copies it instead. */
    private static final int PIN_SLACK = 4096;

    private final int trackId;
    private final long defaultDuration;
    private int[] durations = new int[64];
    private int[] sizes = new int[64];
    private int[] flags = new int[64];
    private int[] compositionOffsets = new int[64];
    private int count;
    private long baseTime;
    private long lastTime;
    private long lastDelta;
    private ByteBuf data;

    TrackRun(int trackId, long defaultDuration) {
        this.trackId = trackId;
        this.defaultDuration = defaultDuration;
    }

    int trackId() {
        return trackId;
    }

    int count() {
        return count;
    }

    /** Decode time of the fragment's first sample (the tfdt). */
    long baseTime() {
        return baseTime;
    }

    /** Decode time just after the last sample, with the duration {@link #close} would give it. */
    long endTime() {
        return lastTime + lastDuration();
    }

    private long lastDuration() {
        return lastDelta > 0 ? lastDelta : defaultDuration;
    }

    int duration(int i) {
        return durations[i];
    }

    int size(int i) {
        return sizes[i];
    }

    int flags(int i) {
        return flags[i];
    }

    int compositionOffset(int i) {
        return compositionOffsets[i];
    }

    boolean firstIsSync() {
        return count > 0 && flags[0] == SampleFlags.SYNC;
    }

    /** Where the caller appends the new sample's bytes before {@link #add}. */
    ByteBuf data(ByteBufAllocator alloc, int sizeHint) {
        if (data == null) {
            data = alloc.buffer(Math.max(256, sizeHint));
        }
        return data;
    }

    /**
     * Appends a sample's bytes as a component of the run: a retained slice of {@code sample}'s
     * readable bytes, no copy, unless the slice would keep a much larger buffer alive for as long
     * as the segment is served (an RTMP message that arrived in one chunk is a slice of the
     * connection's receive buffer); then a copy of just the sample. Call before {@link #add}; do
     * not mix with {@link #data} in one fragment.
     */
    void append(ByteBufAllocator alloc, ByteBuf sample) {
        if (data == null) {
            // Unbounded components: past the limit a composite consolidates, which is a copy.
            data = alloc.compositeBuffer(Integer.MAX_VALUE);
        }
        int size = sample.readableBytes();
        ByteBuf root = sample.unwrap();
        ByteBuf part;
        if (root != null && root.capacity() - size > PIN_SLACK) {
            part = alloc.buffer(size, size).writeBytes(sample, sample.readerIndex(), size);
        } else {
            part = sample.retainedSlice();
        }
        ((CompositeByteBuf) data).addComponent(true, part);
    }

    /** Records a sample whose bytes were just appended to {@link #data}. */
    void add(long time, int compositionOffset, int sampleFlags, int size) {
        if (count == durations.length) {
            int n = count * 2;
            durations = Arrays.copyOf(durations, n);
            sizes = Arrays.copyOf(sizes, n);
            flags = Arrays.copyOf(flags, n);
            compositionOffsets = Arrays.copyOf(compositionOffsets, n);
        }
        if (count == 0) {
            baseTime = time;
        } else {
            long delta = time - lastTime;
            durations[count - 1] = (int) Math.max(1, delta);
            lastDelta = delta;
        }
        lastTime = time;
        sizes[count] = size;
        flags[count] = sampleFlags;
        compositionOffsets[count] = compositionOffset;
        count++;
    }

    /**
     * Gives the last sample its duration and hands over the bytes; the run is then empty.
     *
     * @param end decode time of the sample that follows, when known (later than the last one), else
     *        {@link Long#MIN_VALUE}: the last duration then repeats the one before
     */
    ByteBuf close(long end) {
        durations[count - 1] = (int) (end > lastTime ? Math.min(end - lastTime, Integer.MAX_VALUE) : lastDuration());
        ByteBuf done = data;
        data = null;
        return done;
    }

    /** Starts the next fragment's table (call after the moof is written). */
    void clear() {
        count = 0;
    }

    /** Drops bytes not handed over and forgets the timing, as after a discontinuity. */
    void reset() {
        if (data != null) {
            data.release();
            data = null;
        }
        count = 0;
        lastDelta = 0;
    }
}
