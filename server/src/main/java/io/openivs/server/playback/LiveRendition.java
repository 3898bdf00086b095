package io.openivs.server.playback;

import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.PartFollower;
import io.openivs.server.media.hls.Prefetch;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.SegmentFollower;
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

    /**
     * True once the server, shutting down, stopped taking the publisher's media: the window is final and
     * media playlists end with EXT-X-ENDLIST until the stream ends. Any thread.
     */
    default boolean finished() {
        return false;
    }

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
    default void stopWaiting(Runnable task) {}

    /** Whether part {@code index} of segment {@code sequence} is being written right now. Owner thread only. */
    default boolean writingPart(long sequence, int index) {
        return false;
    }

    /**
     * Sends {@code follower} the chunks of the part being written as they are closed, then its end;
     * call when {@link #writingPart} said yes. Owner thread only.
     */
    default void followPart(PartFollower follower) {
        throw new IllegalStateException("no part being written");
    }

    /**
     * Where the stream stands for the LHLS prefetch form its media playlists list (LOW channels):
     * the segment being or next to be written; null when the channel lists no prefetch segments or
     * the stream ended. Owner thread only.
     */
    default Prefetch prefetch() {
        return null;
    }

    /**
     * Sends {@code follower} the bytes of the segment being written as they are written, then its
     * end; call when {@link #prefetch()} says it is writing and not after a discontinuity. Owner thread only.
     */
    default void followSegment(SegmentFollower follower) {
        throw new IllegalStateException("no segment being written");
    }

    /**
     * The stream's other untranscoded rendition, for the multivariant playlist: the
     * audio_only rendition of an LL-HLS stream while it is listed, or, from that one, the full
     * rendition; null when there is none. Any thread.
     */
    default LiveRendition sibling() {
        return null;
    }

    /**
     * A transcoded rendition of the same stream by its IVS name ({@code 480p30}), served under
     * {@code {name}/{rendition}/}; null when there is none. Any thread.
     */
    default LiveRendition rendition(String name) {
        return null;
    }

    /**
     * The folder this rendition's files are in under the channel's name ({@code audio_only},
     * {@code 480p30}), or null for the full rendition, whose files are right under it. Any thread.
     */
    default String folder() {
        return audioOnly() ? Playlists.AUDIO_ONLY : null;
    }

    /**
     * The stream's other renditions that the multivariant playlist lists, for an LL-HLS playlist's
     * EXT-X-RENDITION-REPORT tags. Owner thread only.
     */
    default List<LiveRendition> others() {
        LiveRendition s = sibling();
        return s == null ? List.of() : List.of(s);
    }

    /** Whether this is an audio_only rendition (served under {@code audio_only/} beside the full one). Any thread. */
    default boolean audioOnly() {
        return false;
    }

    /** Where the owner keeps this rendition's LL-HLS media playlist between answers, or null: rendered each time. */
    default MediaPlaylistCache mediaPlaylistCache() {
        return null;
    }
}
