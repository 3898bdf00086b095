package io.openivs.server.playback;

import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.Segment;
import java.net.InetAddress;
import java.util.List;

/**
 * One live channel as playback sees it. Its segments belong to the stream's owner thread, so
 * everything except {@link #owner()} and {@link #viewer} must be called on that thread.
 */
public interface LiveRendition {
    /** The thread that owns the segments; playback hands each request to it instead of locking. */
    EventExecutor owner();

    /** True once the publisher has gone; the segments are released then. Owner thread only. */
    boolean ended();

    /** The sliding window, oldest first. Owner thread only. */
    List<Segment> segments();

    /** EXT-X-TARGETDURATION. Owner thread only. */
    int targetDurationSeconds();

    /**
     * The window as last published by the owner thread, to answer from on any thread; null when
     * every request must go to the owner (nothing published, or the stream ended). Any thread.
     */
    default PlaybackWindow window() {
        return null;
    }

    /** Counts a viewer (by address, null when unknown) for viewerCount. Any thread. */
    void viewer(InetAddress address);

    /** Whether segments are fMP4 (containerFormat FRAGMENTED_MP4) rather than MPEG-TS. Any thread. */
    default boolean fragmentedMp4() {
        return false;
    }

    /**
     * The LL-HLS state of the stream (parts of the segment being written), or null when the
     * channel serves regular HLS. Owner thread only.
     */
    default LowLatency lowLatency(LowLatency.PartUri partUri) {
        return null;
    }

    /**
     * Runs {@code task} once on the owner thread after the next part or segment is finished or
     * the stream ends; blocking playlist reloads wait this way instead of holding a thread. Owner thread only.
     */
    default void whenChanged(Runnable task) {
        task.run();
    }

    /** Forgets a task given to {@link #whenChanged} that is no longer wanted. Owner thread only. */
    default void stopWaiting(Runnable task) {
    }
}
