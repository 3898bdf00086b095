package io.openivs.server.live;

import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.hls.DateRange;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.PartFollower;
import io.openivs.server.media.hls.Prefetch;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.SegmentFollower;
import io.openivs.server.media.hls.Segmenter;
import io.openivs.server.media.ladder.Ladders;
import io.openivs.server.playback.LiveRendition;
import io.openivs.server.playback.MediaPlaylistCache;
import io.openivs.server.playback.PlaybackWindow;
import java.net.InetAddress;
import java.util.List;

/**
 * One rendition of a live stream as playback serves it: a segmenter attached to the stream's frames,
 * and the stream's owner, waiters and lifetime, which all renditions of a stream share through
 * {@link Renditions}. The stream's full rendition answers from a published {@link PlaybackWindow};
 * the others (the audio_only rendition of an LL-HLS stream, which few viewers pick) send every
 * request to the owner thread.
 */
final class Rendition extends SegmenterConsumer implements LiveRendition {
    private final Renditions stream;
    private final boolean audioOnly;
    private final boolean fragmentedMp4;
    /** Whether this is the stream's full (source) rendition, the one answered from the published window. */
    private final boolean full;
    /** A transcoded rung's IVS name ({@code 480p30}), or null. */
    private final String rungName;
    /** LL-HLS: the media playlist as last rendered for the owner's answers. */
    private final MediaPlaylistCache playlistCache = new MediaPlaylistCache();

    Rendition(Renditions stream, Segmenter segmenter, boolean audioOnly, boolean fragmentedMp4) {
        super(segmenter);
        this.stream = stream;
        this.audioOnly = audioOnly;
        this.fragmentedMp4 = fragmentedMp4;
        this.full = !audioOnly;
        this.rungName = null;
    }

    /** A transcoded rung named {@code rungName}: its requests go to the owner thread, like audio_only's. */
    Rendition(Renditions stream, Segmenter segmenter, boolean fragmentedMp4, String rungName) {
        super(segmenter);
        this.stream = stream;
        this.audioOnly = false;
        this.fragmentedMp4 = fragmentedMp4;
        this.full = false;
        this.rungName = rungName;
    }

    // --- StreamConsumer (owner thread): media as SegmenterConsumer, and the live edge's cues

    @Override
    public void onTimedMetadata(TimedMetadata item) {
        segmenter.onTimedMetadata(item);
    }

    @Override
    public void onDateRange(DateRange range) {
        segmenter.addDateRange(range);
    }

    // --- LiveRendition

    @Override
    public EventExecutor owner() {
        return stream.owner();
    }

    @Override
    public boolean ended() {
        return stream.ended();
    }

    @Override
    public boolean finished() {
        return stream.finished();
    }

    @Override
    public List<Segment> segments() {
        return segmenter.segments();
    }

    @Override
    public int targetDurationSeconds() {
        return segmenter.targetDurationSeconds();
    }

    @Override
    public PlaybackWindow window() {
        return full ? stream.window() : null;
    }

    @Override
    public void viewer(InetAddress address) {
        stream.viewer(address);
    }

    @Override
    public boolean fragmentedMp4() {
        return fragmentedMp4;
    }

    @Override
    public LowLatency lowLatency(LowLatency.PartUri partUri) {
        long target = segmenter.partTargetTicks();
        return target == 0
                ? null
                : new LowLatency(
                        target,
                        partUri,
                        segmenter.partsInProgress(),
                        segmenter.nextSequence(),
                        segmenter.nextStartsDiscontinuity(),
                        segmenter.programDateTimeInProgress());
    }

    @Override
    public MediaPlaylistCache mediaPlaylistCache() {
        return playlistCache;
    }

    @Override
    public void whenChanged(Runnable task) {
        stream.whenChanged(task);
    }

    @Override
    public void stopWaiting(Runnable task) {
        stream.stopWaiting(task);
    }

    @Override
    public boolean writingPart(long sequence, int index) {
        // The full rendition's segmenter is handed over or closed once the stream ended.
        return (!full || !stream.ended()) && !stream.finished() && segmenter.isWritingPart(sequence, index);
    }

    @Override
    public void followPart(PartFollower follower) {
        segmenter.followPart(follower);
    }

    @Override
    public Prefetch prefetch() {
        // The full rendition's segmenter is handed over or closed once the stream ended.
        return stream.prefetches() && !stream.ended() && !stream.finished() ? segmenter.prefetch() : null;
    }

    @Override
    public void followSegment(SegmentFollower follower) {
        segmenter.followSegment(follower);
    }

    @Override
    public LiveRendition sibling() {
        return full || audioOnly ? stream.sibling(this) : null;
    }

    /** A transcoded rendition of the same stream by its IVS name ({@code 480p30}), or null. Any thread. */
    @Override
    public LiveRendition rendition(String name) {
        return stream.rung(name);
    }

    @Override
    public String folder() {
        return rungName != null ? rungName : audioOnly ? Ladders.AUDIO_ONLY_NAME : null;
    }

    @Override
    public List<LiveRendition> others() {
        return stream.others(this);
    }

    @Override
    public boolean audioOnly() {
        return audioOnly;
    }
}
