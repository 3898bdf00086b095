package io.openivs.server.media.fmp4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.VideoConfig;

/**
 * Builds fMP4 fragments: one {@code moof} with a {@code traf} per track, then one {@code mdat}
 * holding the video run followed by the audio run. Both tracks share a fragment (rather than a
 * fragment per track) so any span of time, a whole segment or an LL-HLS part, is one moof/mdat
 * pair a player can append on its own.
 *
 * <p>Video samples are the frames' bytes as they come (4-byte length-prefixed NAL units, the
 * pipeline's form, is what an avc1 sample holds), kept as retained slices, not copied; audio
 * frames, a few hundred bytes each, are copied into one run buffer. The fragment is a composite
 * of the moof (which ends with the mdat header) and those runs. Timing state (sequence number,
 * last sample durations, the audio sample clock) carries across fragments for the life of the
 * stream. One instance per output stream, driven by one thread.
 */
public final class FragmentWriter implements AutoCloseable {

    private static final int MOOF = Boxes.type("moof");
    private static final int MFHD = Boxes.type("mfhd");
    private static final int TRAF = Boxes.type("traf");
    private static final int TFHD = Boxes.type("tfhd");
    private static final int TFDT = Boxes.type("tfdt");
    private static final int TRUN = Boxes.type("trun");
    private static final int MDAT = Boxes.type("mdat");

    private static final int TFHD_DEFAULT_BASE_IS_MOOF = 0x02_0000;
    private static final int TRUN_DATA_OFFSET = 0x001;
    private static final int TRUN_DURATION = 0x100;
    private static final int TRUN_SIZE = 0x200;
    private static final int TRUN_FLAGS = 0x400;
    private static final int TRUN_COMPOSITION_OFFSET = 0x800;
    private static final int AAC_FRAME_SAMPLES = 1024;

    private final ByteBufAllocator alloc;
    private long sequence;
    private TrackRun video;
    private TrackRun audio;
    private int audioRate;
    private long nextAudioTime = Long.MIN_VALUE;
    private int audioSizeHint = 4 * 1024;

    public FragmentWriter(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /**
     * Sets the tracks of the fragments to come, as the init segment describes them. Call with no
     * fragment open; timing state is kept while the configuration stays the same.
     */
    public void configure(VideoConfig videoConfig, AudioConfig audioConfig) {
        if (!isEmpty()) {
            throw new IllegalStateException("fragment open");
        }
        if (videoConfig == null) {
            video = null;
        } else if (video == null) {
            long frame = videoConfig.hasFrameRate()
                    ? Math.round(MediaFrame.CLOCK_RATE / videoConfig.frameRate())
                    : MediaFrame.CLOCK_RATE / 30;
            video = new TrackRun(TrackIds.VIDEO, frame);
        }
        if (audioConfig == null) {
            audio = null;
        } else if (audio == null || audioRate != InitSegment.audioTimescale(audioConfig)) {
            audioRate = InitSegment.audioTimescale(audioConfig);
            audio = new TrackRun(TrackIds.AUDIO, AAC_FRAME_SAMPLES);
            nextAudioTime = Long.MIN_VALUE;
        }
    }

    /** Sequence number the next fragment's mfhd gets; the first is 1. */
    public long nextSequence() {
        return sequence + 1;
    }

    /** Whether no sample has been added since the last fragment was finished. */
    public boolean isEmpty() {
        return (video == null || video.count() == 0) && (audio == null || audio.count() == 0);
    }

    /** Whether the open fragment begins with a video keyframe (or has no video), so a player can start with it. */
    public boolean isIndependent() {
        return video == null || video.firstIsSync();
    }

    /**
     * Adds a video access unit.
     *
     * @param dts decode time in 90 kHz ticks, already on the output timeline
     * @param pts presentation time in 90 kHz ticks
     * @param sample the access unit as 4-byte length-prefixed NAL units without parameter sets
     *        (the init segment has them), borrowed: a retained slice of it is kept
     */
    public void addVideo(long dts, long pts, boolean keyframe, ByteBuf sample) {
        if (video == null) {
            return;
        }
        int size = sample.readableBytes();
        if (size == 0) {
            return;
        }
        video.append(alloc, sample);
        // A composition offset beyond 32 bits is a broken publisher; clamp rather than fail the stream.
        int compositionOffset = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, pts - dts));
        video.add(dts, compositionOffset, keyframe ? SampleFlags.SYNC : SampleFlags.NON_SYNC, size);
    }

    /**
     * Adds a raw AAC frame. Its time goes onto a sample clock that advances 1024 per frame, and
     * only resynchronises with the 90 kHz time when they drift apart by more than half a frame:
     * millisecond timestamps from RTMP would otherwise make every duration jitter.
     *
     * @param dts decode time in 90 kHz ticks, already on the output timeline
     * @param raw the frame, borrowed
     */
    public void addAudio(long dts, ByteBuf raw) {
        if (audio == null) {
            return;
        }
        long time = Math.round(dts * (double) audioRate / MediaFrame.CLOCK_RATE);
        if (nextAudioTime != Long.MIN_VALUE && Math.abs(time - nextAudioTime) <= AAC_FRAME_SAMPLES / 2) {
            time = nextAudioTime;
        }
        nextAudioTime = time + AAC_FRAME_SAMPLES;
        int size = raw.readableBytes();
        audio.data(alloc, audioSizeHint).writeBytes(raw, raw.readerIndex(), size);
        audio.add(time, 0, SampleFlags.SYNC, size);
    }

    /**
     * Duration of the open fragment in 90 kHz ticks, measured on video when there is video. Valid
     * only until the next sample is added (the last sample's duration is a guess until then).
     */
    public long durationTicks() {
        if (video != null && video.count() > 0) {
            return video.endTime() - video.baseTime();
        }
        if (audio != null && audio.count() > 0) {
            return (audio.endTime() - audio.baseTime()) * MediaFrame.CLOCK_RATE / audioRate;
        }
        return 0;
    }

    /** Ends the open fragment, its last video sample lasting as long as the one before; see {@link #finish(long)}. */
    public ByteBuf finish() {
        return finish(Long.MIN_VALUE);
    }

    /**
     * Ends the open fragment.
     *
     * @param videoEnd decode time (90 kHz) of the video frame that follows, which ends the last
     *        one here, or {@link Long#MIN_VALUE} when not known yet
     * @return moof and mdat as one buffer the caller owns, or null when no sample was added
     */
    public ByteBuf finish(long videoEnd) {
        if (isEmpty()) {
            return null;
        }
        ByteBuf videoData = video != null && video.count() > 0 ? video.close(videoEnd) : null;
        ByteBuf audioData = audio != null && audio.count() > 0 ? audio.close(Long.MIN_VALUE) : null;
        int videoBytes = videoData == null ? 0 : videoData.readableBytes();
        int audioBytes = audioData == null ? 0 : audioData.readableBytes();

        ByteBuf moof = alloc.buffer(
                128 + 16 * (videoData == null ? 0 : video.count()) + 8 * (audioData == null ? 0 : audio.count()));
        int moofStart = Boxes.begin(moof, MOOF);
        int mfhd = Boxes.beginFull(moof, MFHD, 0, 0);
        moof.writeInt((int) ++sequence);
        Boxes.end(moof, mfhd);
        int videoOffsetAt = videoData == null ? -1 : writeTraf(moof, video, true);
        int audioOffsetAt = audioData == null ? -1 : writeTraf(moof, audio, false);
        Boxes.end(moof, moofStart);
        int moofSize = moof.writerIndex() - moofStart;
        moof.writeInt(8 + videoBytes + audioBytes);
        moof.writeInt(MDAT);
        // default-base-is-moof: run offsets count from the first byte of the moof.
        if (videoOffsetAt >= 0) {
            moof.setInt(videoOffsetAt, moofSize + 8);
        }
        if (audioOffsetAt >= 0) {
            moof.setInt(audioOffsetAt, moofSize + 8 + videoBytes);
        }

        CompositeByteBuf fragment = alloc.compositeBuffer(3);
        fragment.addComponent(true, moof);
        if (videoData != null) {
            fragment.addComponent(true, videoData);
            video.clear();
        }
        if (audioData != null) {
            fragment.addComponent(true, audioData);
            audioSizeHint = audioBytes + audioBytes / 8;
            audio.clear();
        }
        return fragment;
    }

    /** Forgets timing across a discontinuity, dropping samples of an open fragment. */
    public void reset() {
        if (video != null) {
            video.reset();
        }
        if (audio != null) {
            audio.reset();
        }
        nextAudioTime = Long.MIN_VALUE;
    }

    @Override
    public void close() {
        reset();
    }

    /** Writes a traf; returns the index of its trun data_offset, to patch once the moof size is known. */
    private static int writeTraf(ByteBuf out, TrackRun run, boolean video) {
        int traf = Boxes.begin(out, TRAF);
        int tfhd = Boxes.beginFull(out, TFHD, 0, TFHD_DEFAULT_BASE_IS_MOOF);
        out.writeInt(run.trackId());
        Boxes.end(out, tfhd);
        int tfdt = Boxes.beginFull(out, TFDT, 1, 0);
        out.writeLong(run.baseTime());
        Boxes.end(out, tfdt);
        int n = run.count();
        // Version 1: composition offsets are signed, so streams with B-frames need no edit list.
        // Every AAC frame is a sync sample, as trex's default flags say, so audio lists no flags.
        int trun = video
                ? Boxes.beginFull(
                        out,
                        TRUN,
                        1,
                        TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS | TRUN_COMPOSITION_OFFSET)
                : Boxes.beginFull(out, TRUN, 0, TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE);
        out.writeInt(n);
        int offsetAt = out.writerIndex();
        out.writeInt(0);
        for (int i = 0; i < n; i++) {
            out.writeInt(run.duration(i));
            out.writeInt(run.size(i));
            if (video) {
                out.writeInt(run.flags(i));
                out.writeInt(run.compositionOffset(i));
            }
        }
        Boxes.end(out, trun);
        Boxes.end(out, traf);
        return offsetAt;
    }
}
