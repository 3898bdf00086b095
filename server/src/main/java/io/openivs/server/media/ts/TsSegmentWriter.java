package io.openivs.server.media.ts;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.GrowingSegmentWriter;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.SegmentMemory;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.aac.AdtsHeader;
import io.openivs.server.media.aac.AudioSpecificConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes HLS MPEG-TS segments: PAT and PMT first in every segment, H.264 on PID 0x100 (which
 * also carries the PCR), AAC in ADTS on PID 0x101, timed ID3 metadata on PID 0x102.
 *
 * <p>The PMT declares the metadata stream only while there is metadata: Amazon's IVS player waits for
 * data on every stream the PMT lists, so an empty declared stream stalls its playback after the
 * first buffer. A segment's PMT is written before its first PES, declaring the metadata stream when
 * that PES is metadata (a live segment starts with its latency stamp, so its PMT lists the stream and
 * its version stays put); a metadata item in a segment that started without it is preceded by a PMT
 * that adds it (the next version_number, ISO/IEC 13818-1 2.4.4.9). hls.js, Safari and ffmpeg read
 * every PMT they meet.
 * A few consecutive audio frames share one PES to save header overhead.
 *
 * <p>Video frames come as length-prefixed NAL units; this is the one place they become Annex-B
 * ({@link AnnexBBody}: delimiter, parameter sets before IDRs, start codes), on the way into the
 * packets.
 *
 * <p>Timestamps are shifted by {@link #TIMESTAMP_OFFSET} so the PCR, which runs
 * {@link #PCR_DELAY} behind the decode time, never goes below zero near the start of a session.
 * One instance per output stream, driven by one thread. The segment in progress can be read as
 * it grows ({@link #written}): whole packets go into blocks that are never rewritten.
 */
public final class TsSegmentWriter implements GrowingSegmentWriter {

    public static final int PID_VIDEO = 0x100;
    public static final int PID_AUDIO = 0x101;
    public static final int PID_METADATA = 0x102;

    static final long TIMESTAMP_OFFSET = 126_000; // 1.4 s
    static final long PCR_DELAY = 63_000; // 0.7 s
    private static final long TIMESTAMP_MASK = (1L << 33) - 1;
    private static final long PCR_INTERVAL = 9_000; // 100 ms, the MPEG-2 maximum
    private static final long MAX_AUDIO_GROUP = 9_000; // 100 ms of audio per PES at most
    private static final int MAX_AUDIO_GROUP_BYTES = 32 * 1024;
    /**
     * The segment being written is a list of blocks of this size (larger for a PES that needs more),
     * so it holds about its bytes so far rather than a guess at its final size from the start.
     */
    private static final int BLOCK_SIZE = 64 * 1024;

    private final ByteBufAllocator alloc;
    private final SegmentMemory finished;
    private final TsPacketizer packetizer = new TsPacketizer();
    private final ByteBuf scratch = Unpooled.buffer(256); // PSI sections and PES headers
    private final ByteBuf audioGroup = Unpooled.buffer(4096); // ADTS frames waiting for their PES
    private final int[] streamTypes = new int[3];
    private final int[] pids = new int[3];
    /** Elementary streams of the current segment's first PMT (the metadata stream goes after them). */
    private int streamCount;
    /** version_number of the last PMT written, and what that PMT listed (-1: none written yet). */
    private int pmtVersion;

    private int pmtStreams = -1;
    private boolean metadataDeclared;
    /** The segment's PMT waits for its first PES, to list the metadata stream if that is where it starts. */
    private boolean pmtPending;

    private boolean open;
    private final List<ByteBuf> blocks = new ArrayList<>();
    private ByteBuf block;
    private boolean hasVideo;
    private final AnnexBBody annexB = new AnnexBBody();
    private VideoConfig videoConfig;
    /** Annex-B parameter sets of {@link #videoConfig}, put in front of every IDR. */
    private byte[] parameterSets;

    private AudioConfig audioConfig;
    private AudioSpecificConfig adtsConfig;
    private long audioFrameTicks;
    private int groupedFrames;
    private long groupPts;
    private long groupEnd;
    private long lastPcr = -1;
    private long offset;

    public TsSegmentWriter(ByteBufAllocator alloc) {
        this(alloc, SegmentMemory.pooled(alloc));
    }

    /**
     * @param alloc    the blocks of the segment being written
     * @param finished where a finished segment's bytes go ({@link io.openivs.server.media.SegmentFiles} for
     *                 live playback, to be sent with sendfile)
     */
    public TsSegmentWriter(ByteBufAllocator alloc, SegmentMemory finished) {
        this.alloc = alloc;
        this.finished = finished;
    }

    @Override
    public String extension() {
        return "ts";
    }

    @Override
    public void startSegment(SegmentStart start) {
        if (open) {
            throw new IllegalStateException("segment already started");
        }
        hasVideo = start.video() != null;
        if (hasVideo && start.video() != videoConfig) {
            videoConfig = start.video();
            parameterSets = AnnexBBody.parameterSets(videoConfig.spsList(), videoConfig.ppsList());
        }
        offset = start.timestampOffset();
        setAudioConfig(start.audio());
        open = true;
        scratch.clear();
        ProgramTables.writePat(scratch);
        packetizer.writeSection(room(TsPacketizer.PACKET_SIZE), ProgramTables.PID_PAT, scratch);

        int count = 0;
        if (hasVideo) {
            streamTypes[count] = ProgramTables.STREAM_TYPE_H264;
            pids[count++] = PID_VIDEO;
        }
        if (audioConfig != null) {
            streamTypes[count] = ProgramTables.STREAM_TYPE_AAC_ADTS;
            pids[count++] = PID_AUDIO;
        }
        streamCount = count;
        pmtPending = true;
    }

    /** Writes the PMT, with the metadata stream or without, under a new version when its content changed. */
    private void writePmt(boolean metadata) {
        int count = streamCount;
        if (metadata) {
            streamTypes[count] = ProgramTables.STREAM_TYPE_METADATA;
            pids[count++] = PID_METADATA;
        }
        pmtPending = false;
        int streams = (hasVideo ? 1 : 0) | (audioConfig != null ? 2 : 0) | (metadata ? 4 : 0);
        if (pmtStreams >= 0 && streams != pmtStreams) {
            pmtVersion = (pmtVersion + 1) & ProgramTables.VERSION_MASK;
        }
        pmtStreams = streams;
        metadataDeclared = metadata;
        scratch.clear();
        ProgramTables.writePmt(scratch, pmtVersion, pcrPid(), streamTypes, pids, count);
        packetizer.writeSection(room(TsPacketizer.PACKET_SIZE), ProgramTables.PID_PMT, scratch);
    }

    @Override
    public void writeFrame(MediaFrame frame) {
        if (!open) {
            throw new IllegalStateException("no segment started");
        }
        if (pmtPending) {
            writePmt(false);
        }
        if (frame.isVideo()) {
            if (hasVideo) {
                writeVideo(frame);
            }
        } else if (audioConfig != null) {
            addAudio(frame);
        }
    }

    @Override
    public void writeMetadata(TimedMetadata item) {
        if (!open) {
            throw new IllegalStateException("no segment started");
        }
        if (pmtPending || !metadataDeclared) {
            writePmt(true);
        }
        long pts = tsTime(item.pts() + offset);
        scratch.clear();
        PesHeader.write(scratch, PesHeader.STREAM_ID_PRIVATE_1, pts, pts, item.id3().length);
        packetizer.writePes(
                room(TsPacketizer.room(scratch.readableBytes() + item.id3().length)),
                PID_METADATA,
                scratch,
                Unpooled.wrappedBuffer(item.id3()),
                -1,
                false);
    }

    @Override
    public ByteBuf finishSegment() {
        if (!open) {
            throw new IllegalStateException("no segment started");
        }
        if (pmtPending) {
            writePmt(false);
        }
        flushAudio();
        open = false;
        int size = 0;
        for (ByteBuf b : blocks) {
            size += b.readableBytes();
        }
        // A finished segment is held for the whole live window: one buffer of its exact size keeps no
        // spare room for those seconds.
        ByteBuf done = finished.copyOf(blocks, size);
        releaseBlocks();
        return done;
    }

    @Override
    public long writtenBytes() {
        long size = 0;
        for (int i = 0; i < blocks.size(); i++) {
            size += blocks.get(i).readableBytes();
        }
        return size;
    }

    @Override
    public ByteBuf written(long from, long to) {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("bytes [" + from + ", " + to + ")");
        }
        ByteBuf single = null;
        CompositeByteBuf several = null;
        long at = 0;
        for (int i = 0; i < blocks.size() && at < to; i++) {
            ByteBuf b = blocks.get(i);
            long end = at + b.readableBytes();
            if (end > from) {
                int start = (int) (Math.max(from, at) - at);
                ByteBuf piece = b.retainedSlice(b.readerIndex() + start, (int) (Math.min(to, end) - at) - start);
                if (single == null) {
                    single = piece;
                } else {
                    if (several == null) {
                        several = alloc.compositeBuffer(blocks.size()).addComponent(true, single);
                    }
                    several.addComponent(true, piece);
                }
            }
            at = end;
        }
        if (at < to) {
            if (several != null) {
                several.release();
            } else if (single != null) {
                single.release();
            }
            throw new IndexOutOfBoundsException("bytes up to " + to + " of " + at + " written");
        }
        return several != null ? several : single != null ? single : Unpooled.EMPTY_BUFFER;
    }

    @Override
    public void close() {
        open = false;
        releaseBlocks();
        groupedFrames = 0;
        audioGroup.clear();
    }

    /** The block to write the next {@code bytes} into, a new one when the current one has too little room. */
    private ByteBuf room(int bytes) {
        if (block == null || block.writableBytes() < bytes) {
            int capacity = Math.max(BLOCK_SIZE, bytes);
            block = alloc.buffer(capacity, capacity);
            blocks.add(block);
        }
        return block;
    }

    private void releaseBlocks() {
        blocks.forEach(ByteBuf::release);
        blocks.clear();
        block = null;
    }

    private int pcrPid() {
        return hasVideo ? PID_VIDEO : PID_AUDIO;
    }

    private void setAudioConfig(AudioConfig config) {
        if (config == null) {
            audioConfig = null;
            return;
        }
        if (!config.equals(audioConfig)) {
            flushAudio();
            AudioSpecificConfig parsed = AudioSpecificConfig.parse(config.audioSpecificConfig());
            if (!parsed.fitsAdts()) {
                throw new IllegalArgumentException(config + " cannot be carried in ADTS");
            }
            audioConfig = config;
            adtsConfig = parsed;
            audioFrameTicks = config.frameDurationTicks();
        }
    }

    private void writeVideo(MediaFrame frame) {
        if (!annexB.start(frame.payload(), frame.isKeyframe() ? parameterSets : null)) {
            return; // lengths that do not tile: the demuxer lets no such frame through
        }
        long dts = tsTime(frame.dts() + offset);
        scratch.clear();
        PesHeader.write(scratch, PesHeader.STREAM_ID_VIDEO, tsTime(frame.pts() + offset), dts, annexB.length());
        packetizer.writePes(
                room(TsPacketizer.room(scratch.readableBytes() + annexB.length())),
                PID_VIDEO,
                scratch,
                annexB,
                nextPcr(dts),
                frame.isKeyframe());
        annexB.clear();
    }

    private void addAudio(MediaFrame frame) {
        long pts = frame.pts() + offset;
        int size = frame.payload().readableBytes();
        if (groupedFrames > 0) {
            // A gap or overlap of half a frame means the group's one timestamp would no longer fit all frames.
            boolean contiguous = Math.abs(pts - groupEnd) <= audioFrameTicks / 2;
            boolean full = groupEnd + audioFrameTicks - groupPts > MAX_AUDIO_GROUP
                    || audioGroup.readableBytes() + AdtsHeader.LENGTH + size > MAX_AUDIO_GROUP_BYTES;
            if (!contiguous || full) {
                flushAudio();
            }
        }
        if (groupedFrames == 0) {
            groupPts = pts;
            groupEnd = pts;
        }
        AdtsHeader.write(audioGroup, adtsConfig, size);
        audioGroup.writeBytes(frame.payload(), frame.payload().readerIndex(), size);
        groupedFrames++;
        groupEnd += audioFrameTicks;
    }

    private void flushAudio() {
        if (groupedFrames == 0) {
            return;
        }
        long pts = tsTime(groupPts);
        long pcr = -1;
        if (hasVideo) {
            // Video is the PCR PID; with a slow frame rate it may not carry one often enough.
            long candidate = pcrFor(pts);
            long sinceLast = forward(lastPcr, candidate);
            if (lastPcr >= 0 && sinceLast > PCR_INTERVAL && sinceLast < TIMESTAMP_MASK / 2) {
                packetizer.writePcrOnly(room(TsPacketizer.PACKET_SIZE), PID_VIDEO, candidate);
                lastPcr = candidate;
            }
        } else {
            pcr = nextPcr(pts);
        }
        scratch.clear();
        PesHeader.write(scratch, PesHeader.STREAM_ID_AUDIO, pts, pts, audioGroup.readableBytes());
        packetizer.writePes(
                room(TsPacketizer.room(scratch.readableBytes() + audioGroup.readableBytes())),
                PID_AUDIO,
                scratch,
                audioGroup,
                pcr,
                false);
        audioGroup.clear();
        groupedFrames = 0;
    }

    /** A PCR for a packet whose decode time is {@code dts}, never below the last one written. */
    private long nextPcr(long dts) {
        long pcr = pcrFor(dts);
        if (lastPcr >= 0 && forward(lastPcr, pcr) > TIMESTAMP_MASK / 2) {
            pcr = lastPcr;
        }
        lastPcr = pcr;
        return pcr;
    }

    /** Distance from {@code from} forward to {@code to} on the 33-bit clock, which wraps after 26.5 hours. */
    private static long forward(long from, long to) {
        return (to - from) & TIMESTAMP_MASK;
    }

    private static long pcrFor(long tsDts) {
        return (tsDts - PCR_DELAY) & TIMESTAMP_MASK;
    }

    private static long tsTime(long ticks) {
        return (ticks + TIMESTAMP_OFFSET) & TIMESTAMP_MASK;
    }
}
