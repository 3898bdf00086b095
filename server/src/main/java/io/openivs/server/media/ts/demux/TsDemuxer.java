package io.openivs.server.media.ts.demux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.SpliceCue;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.scte35.SpliceInsert;
import java.util.Arrays;

/**
 * Demultiplexes an MPEG-TS byte stream (ISO/IEC 13818-1) carrying H.264 and AAC ADTS into codec
 * configs and {@link MediaFrame}s for a {@link MediaSink}, as {@code FlvToFrames} does for RTMP.
 *
 * <p>Input may arrive cut anywhere (SRT delivers 1316-byte payloads of seven packets, UDP or files
 * other sizes): a partial packet is carried to the next {@link #feed}. Lost sync is found again at
 * the next 0x47 byte. Continuity counter gaps are counted and drop the PES they hit, never the
 * stream. A PES is capped at {@link #MAX_PES_BYTES}; a longer one is dropped.
 *
 * <p>Uses the first program of the PAT and, in its PMT, the first H.264 (stream type 0x1B) and
 * first ADTS AAC (0x0F) stream. Timestamps are unwrapped from 33 bits onto one 64-bit timeline
 * for both tracks and counted from the first DTS handed on, so the session starts near zero; a
 * frame that would fall before zero is dropped. One instance per publisher session, one thread.
 *
 * <p>Beside the media, the first timed-metadata stream (0x15: ID3 tags in PES, as encoders send timed
 * ID3) becomes {@link TimedMetadata} and the first SCTE-35 stream (0x86) its splice_inserts that leave
 * the network become {@link SpliceCue}s, both on the same timeline as the frames. (Past 500 lines: the
 * tables, the three PES kinds and the sections share one packet walk, continuity state and timeline.)
 */
public final class TsDemuxer implements AutoCloseable {

    public static final int PACKET_SIZE = 188;
    /** Bound on one PES: far above any access unit of a 1080p stream at ingest bitrates. */
    public static final int MAX_PES_BYTES = 8 << 20;
    /** Bound on one timed-metadata PES (an ID3 tag): PutMetadata takes 1 KiB, encoders send less than this. */
    public static final int MAX_METADATA_BYTES = 64 << 10;

    private static final int SYNC = 0x47;
    private static final int PID_PAT = 0;
    private static final int STREAM_TYPE_H264 = 0x1B;
    private static final int STREAM_TYPE_AAC_ADTS = 0x0F;
    private static final int STREAM_TYPE_METADATA = 0x15;
    private static final int STREAM_TYPE_SCTE35 = 0x86;
    private static final long WRAP = 1L << 33;
    private static final long NO_TS = Long.MIN_VALUE;

    private final ByteBufAllocator alloc;
    private final MediaSink sink;
    private final byte[] partial = new byte[PACKET_SIZE];
    private final ByteBuf partialPacket = Unpooled.wrappedBuffer(partial);
    private int partialLength;
    private final int[] lastCc = new int[8192];

    private int pmtPid = -1;
    private final Pes video = new Pes(TrackType.VIDEO);
    private final Pes audio = new Pes(TrackType.AUDIO);
    private final Pes metadata = new Pes(null);
    private final SectionReader scte35 = new SectionReader(this::spliceSection);
    private int scte35Pid = -1;
    private final H264Elementary h264 = new H264Elementary();
    private final AdtsElementary adts = new AdtsElementary();
    private AudioConfig sentAudioConfig;
    private String unsupportedCodec;

    private long lastTs = NO_TS;
    private long origin = NO_TS;

    private long packets;
    private long continuityErrors;
    private long syncLosses;
    private long droppedPes;
    private long droppedFrames;
    private long videoFrames;
    private long audioFrames;
    private long metadataItems;
    private long spliceCues;

    public TsDemuxer(ByteBufAllocator alloc, MediaSink sink) {
        this.alloc = alloc;
        this.sink = sink;
        Arrays.fill(lastCc, -1);
    }

    /** Demultiplexes the readable bytes of {@code data}; does not move its reader index or keep it. */
    public void feed(ByteBuf data) {
        int i = data.readerIndex();
        int end = data.writerIndex();
        if (partialLength > 0) {
            int take = Math.min(PACKET_SIZE - partialLength, end - i);
            data.getBytes(i, partial, partialLength, take);
            partialLength += take;
            i += take;
            if (partialLength < PACKET_SIZE) {
                return;
            }
            partialLength = 0;
            packet(partialPacket, 0);
        }
        while (i < end) {
            if (data.getUnsignedByte(i) != SYNC) {
                syncLosses++;
                int next = data.indexOf(i + 1, end, (byte) SYNC);
                if (next < 0) {
                    return;
                }
                i = next;
                continue;
            }
            if (end - i < PACKET_SIZE) {
                partialLength = end - i;
                data.getBytes(i, partial, 0, partialLength);
                return;
            }
            packet(data, i);
            i += PACKET_SIZE;
        }
    }

    /** Hands on the PES still being gathered (the last video frame has no successor to end it) and frees buffers. */
    public void flush() {
        finish(video);
        finish(audio);
        finish(metadata);
    }

    @Override
    public void close() {
        video.reset();
        audio.reset();
        metadata.reset();
    }

    /**
     * Counts timestamps from {@code origin} on the stream's own (unwrapped) clock instead of from the
     * first frame, for a caller that must keep the stream's timeline (a transcoder's output lines up
     * with its input). Before the first {@link #feed}.
     */
    public void countFrom(long origin) {
        this.origin = origin;
    }

    /** A stream type the PMT offered instead of H.264 or AAC (e.g. "stream type 0x24"), or null. */
    public String unsupportedCodec() {
        return unsupportedCodec;
    }

    public long packets() {
        return packets;
    }

    /** Continuity counter gaps seen on the PIDs in use (lost or reordered TS packets). */
    public long continuityErrors() {
        return continuityErrors;
    }

    /** Times the input was not at a sync byte where a packet should start. */
    public long syncLosses() {
        return syncLosses;
    }

    /** PES packets dropped: damaged by a continuity gap, malformed, or over the size cap. */
    public long droppedPes() {
        return droppedPes;
    }

    /** Frames dropped for lacking a config or falling before the session origin. */
    public long droppedFrames() {
        return droppedFrames;
    }

    public long videoFrames() {
        return videoFrames;
    }

    public long audioFrames() {
        return audioFrames;
    }

    /** Whether the program map declares an AAC stream (its config comes with its first PES). */
    public boolean expectsAudio() {
        return audio.pid >= 0;
    }

    /** ID3 tags handed on from the timed-metadata stream. */
    public long metadataItems() {
        return metadataItems;
    }

    /** Ad breaks handed on from the SCTE-35 stream. */
    public long spliceCues() {
        return spliceCues;
    }

    public VideoConfig videoConfig() {
        return h264.config();
    }

    public AudioConfig audioConfig() {
        return sentAudioConfig;
    }

    private void packet(ByteBuf buf, int off) {
        packets++;
        int b1 = buf.getUnsignedByte(off + 1);
        if ((b1 & 0x80) != 0) {
            return; // transport_error_indicator
        }
        boolean start = (b1 & 0x40) != 0;
        int pid = ((b1 & 0x1F) << 8) | buf.getUnsignedByte(off + 2);
        int b3 = buf.getUnsignedByte(off + 3);
        int afc = (b3 >> 4) & 3;
        int cc = b3 & 0xF;
        int payload = off + 4;
        boolean discontinuity = false;
        if ((afc & 2) != 0) {
            int afLength = buf.getUnsignedByte(off + 4);
            if (afLength > 0) {
                discontinuity = (buf.getUnsignedByte(off + 5) & 0x80) != 0;
            }
            payload += 1 + afLength;
        }
        int end = off + PACKET_SIZE;
        if ((afc & 1) == 0 || payload >= end) {
            return;
        }
        Pes pes = pid == video.pid ? video : pid == audio.pid ? audio : pid == metadata.pid ? metadata : null;
        if (pid == PID_PAT || pid == pmtPid || pes != null || pid == scte35Pid) {
            int last = lastCc[pid];
            lastCc[pid] = cc;
            if (last >= 0 && !discontinuity && cc != ((last + 1) & 0xF)) {
                if (cc == last) {
                    return; // a duplicate packet, allowed once
                }
                continuityErrors++;
                if (pes != null && pes.active && !start) {
                    pes.damaged = true;
                } else if (pid == scte35Pid) {
                    scte35.lost();
                }
            }
        }
        if (pes != null) {
            pesPayload(pes, buf, payload, end, start);
        } else if (pid == PID_PAT) {
            section(buf, payload, end, start, true);
        } else if (pid == pmtPid) {
            section(buf, payload, end, start, false);
        } else if (pid == scte35Pid) {
            scte35.payload(buf, payload, end, start);
        }
    }

    /** PAT and PMT, read from sections that fit one packet (as every muxer writes them for two streams). */
    private void section(ByteBuf buf, int i, int end, boolean start, boolean pat) {
        if (!start) {
            return;
        }
        i += 1 + buf.getUnsignedByte(i); // pointer_field
        if (end - i < 12) {
            return;
        }
        int tableId = buf.getUnsignedByte(i);
        int sectionLength = buf.getUnsignedShort(i + 1) & 0x0FFF;
        int sectionEnd = i + 3 + sectionLength - 4; // CRC excluded
        if (sectionEnd > end || (tableId != (pat ? 0 : 2))) {
            return;
        }
        if (pat) {
            for (int p = i + 8; p + 4 <= sectionEnd; p += 4) {
                int program = buf.getUnsignedShort(p);
                if (program != 0) {
                    pmtPid = buf.getUnsignedShort(p + 2) & 0x1FFF;
                    return;
                }
            }
            return;
        }
        int programInfo = buf.getUnsignedShort(i + 10) & 0x0FFF;
        int videoPid = -1;
        int audioPid = -1;
        int metadataPid = -1;
        int splicePid = -1;
        String other = null;
        for (int p = i + 12 + programInfo; p + 5 <= sectionEnd; ) {
            int type = buf.getUnsignedByte(p);
            int pid = buf.getUnsignedShort(p + 1) & 0x1FFF;
            int esInfo = buf.getUnsignedShort(p + 3) & 0x0FFF;
            if (type == STREAM_TYPE_H264 && videoPid < 0) {
                videoPid = pid;
            } else if (type == STREAM_TYPE_AAC_ADTS && audioPid < 0) {
                audioPid = pid;
            } else if (type == STREAM_TYPE_METADATA && metadataPid < 0) {
                metadataPid = pid;
            } else if (type == STREAM_TYPE_SCTE35 && splicePid < 0) {
                splicePid = pid;
            } else if (other == null && type != 0x15 && type != 0x06 && type != 0x86) {
                other = String.format("stream type 0x%02X", type); // 0x15/0x06/0x86: metadata, private, SCTE-35
            }
            p += 5 + esInfo;
        }
        unsupportedCodec = videoPid < 0 && other != null ? other : null;
        if (video.pid != videoPid) {
            video.reset();
            video.pid = videoPid;
        }
        if (audio.pid != audioPid) {
            audio.reset();
            audio.pid = audioPid;
        }
        if (metadata.pid != metadataPid) {
            metadata.reset();
            metadata.pid = metadataPid;
        }
        if (scte35Pid != splicePid) {
            scte35.lost();
            scte35Pid = splicePid;
        }
    }

    private void pesPayload(Pes pes, ByteBuf buf, int i, int end, boolean start) {
        if (start) {
            finish(pes);
            if (end - i < 9 || buf.getUnsignedMedium(i) != 1) {
                droppedPes++;
                return;
            }
            int pesLength = buf.getUnsignedShort(i + 4);
            int flags = buf.getUnsignedByte(i + 7);
            int headerLength = buf.getUnsignedByte(i + 8);
            int data = i + 9 + headerLength;
            if (data > end || (flags & 0x80) == 0 || headerLength < 5) {
                droppedPes++;
                return;
            }
            pes.pts = timestamp(buf, i + 9);
            pes.dts = (flags & 0x40) != 0 && headerLength >= 10 ? timestamp(buf, i + 14) : pes.pts;
            pes.expected = pesLength == 0 ? -1 : pesLength - 3 - headerLength;
            pes.active = true;
            pes.damaged = false;
            int cap = pes.track == null ? MAX_METADATA_BYTES : MAX_PES_BYTES;
            pes.data = alloc.buffer(pes.expected > 0 ? Math.min(pes.expected, cap) : Math.min(cap, 64 * 1024));
            i = data;
        }
        if (!pes.active || pes.damaged) {
            return;
        }
        int length = end - i;
        if (pes.data.readableBytes() + length > (pes.track == null ? MAX_METADATA_BYTES : MAX_PES_BYTES)) {
            pes.damaged = true;
            return;
        }
        pes.data.writeBytes(buf, i, length);
        if (pes.expected >= 0 && pes.data.readableBytes() >= pes.expected) {
            finish(pes);
        }
    }

    private void finish(Pes pes) {
        if (!pes.active) {
            return;
        }
        try {
            if (pes.damaged || (pes.expected >= 0 && pes.data.readableBytes() < pes.expected)) {
                droppedPes++;
            } else if (pes.track == null) {
                metadataPes(pes);
            } else if (pes.track == TrackType.VIDEO) {
                videoPes(pes);
            } else {
                audioPes(pes);
            }
        } finally {
            pes.reset();
        }
    }

    private void videoPes(Pes pes) {
        long dts = session(pes.dts);
        long pts = dts + ((pes.pts - pes.dts) & (WRAP - 1));
        ByteBuf accessUnit = h264.accessUnit(alloc, pes.data);
        if (h264.configChanged()) {
            sink.onVideoConfig(h264.config());
        }
        if (accessUnit == null) {
            droppedFrames++;
            return;
        }
        if (dts < 0) {
            accessUnit.release();
            droppedFrames++;
            return;
        }
        emit(new MediaFrame(TrackType.VIDEO, dts, pts, h264.keyframe(), accessUnit));
        videoFrames++;
    }

    /** An ID3 tag (or several back to back, kept as one item) shown at the PES's PTS. */
    private void metadataPes(Pes pes) {
        ByteBuf tag = pes.data;
        if (origin == NO_TS || tag.readableBytes() < 10 || tag.getUnsignedMedium(tag.readerIndex()) != 0x494433) {
            droppedPes++; // before the first frame there is no timeline to place it on; not ID3
            return;
        }
        long pts = session(pes.pts);
        if (pts < 0) {
            droppedPes++;
            return;
        }
        byte[] id3 = new byte[tag.readableBytes()];
        tag.getBytes(tag.readerIndex(), id3);
        metadataItems++;
        sink.onTimedMetadata(new TimedMetadata(pts, id3));
    }

    /** A whole SCTE-35 section: a splice_insert that leaves the network is an ad break. */
    private void spliceSection(byte[] section) {
        SpliceInsert.Parsed p = SpliceInsert.parse(section);
        if (p == null || p.cancel() || !p.outOfNetwork()) {
            return; // other commands, returns to the network and cancellations end nothing we list
        }
        long pts = SpliceCue.IMMEDIATE;
        if (p.ptsTime() >= 0) {
            if (origin == NO_TS) {
                return;
            }
            pts = Math.max(0, session(p.ptsTime()));
        }
        spliceCues++;
        sink.onSpliceCue(new SpliceCue(p.eventId(), pts, p.durationTicks(), section));
    }

    private void audioPes(Pes pes) {
        ByteBuf es = pes.data;
        long dts = session(pes.pts);
        int end = es.writerIndex();
        int i = es.readerIndex();
        while (i < end) {
            int next = adts.next(es, i, end);
            if (next < 0) {
                droppedFrames++;
                return;
            }
            AudioConfig config = adts.config();
            if (!config.equals(sentAudioConfig)) {
                sentAudioConfig = config;
                sink.onAudioConfig(config);
            }
            if (dts >= 0) {
                emit(new MediaFrame(
                        TrackType.AUDIO, dts, dts, true, es.retainedSlice(adts.frameOffset(), adts.frameLength())));
                audioFrames++;
            } else {
                droppedFrames++;
            }
            dts += config.frameDurationTicks();
            i = next;
        }
    }

    private void emit(MediaFrame frame) {
        try {
            sink.onFrame(frame);
        } finally {
            frame.release();
        }
    }

    /** A 33-bit stream time onto the session timeline: nearest to the last one seen, less the origin. */
    private long session(long ts33) {
        if (lastTs == NO_TS) {
            lastTs = ts33;
        } else {
            long delta = (ts33 - lastTs) & (WRAP - 1);
            if (delta >= WRAP / 2) {
                delta -= WRAP;
            }
            lastTs += delta;
        }
        if (origin == NO_TS) {
            origin = lastTs;
        }
        return lastTs - origin;
    }

    private static long timestamp(ByteBuf buf, int i) {
        return ((long) (buf.getUnsignedByte(i) & 0x0E) << 29)
                | ((long) buf.getUnsignedByte(i + 1) << 22)
                | ((long) (buf.getUnsignedByte(i + 2) & 0xFE) << 14)
                | ((long) buf.getUnsignedByte(i + 3) << 7)
                | (buf.getUnsignedByte(i + 4) >> 1);
    }

    /** The PES being gathered on one PID. */
    private static final class Pes {
        final TrackType track;
        int pid = -1;
        boolean active;
        boolean damaged;
        int expected;
        long pts;
        long dts;
        ByteBuf data;

        Pes(TrackType track) {
            this.track = track;
        }

        void reset() {
            active = false;
            damaged = false;
            if (data != null) {
                data.release();
                data = null;
            }
        }
    }
}
