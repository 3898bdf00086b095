package io.openivs.server.media.flv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.aac.AudioSpecificConfig;
import io.openivs.server.media.h264.AvcDecoderConfigurationRecord;
import io.openivs.server.media.h264.AvccNormalizer;
import io.openivs.server.media.h264.ParameterSets;
import io.openivs.server.media.h264.Sps;
import io.openivs.server.media.h264.SpsParser;
import java.util.List;

/**
 * Turns the FLV tag bodies of one RTMP publish session (AUDIODATA and VIDEODATA, the bytes after
 * the 11-byte tag header) into codec configs and {@link MediaFrame}s for a {@link MediaSink}.
 * Only H.264 video and AAC audio are accepted; anything else comes back as
 * {@link TagResult.Status#UNSUPPORTED_CODEC}.
 *
 * <p>Frame timestamps are 90 kHz counts from the first tag of the session, on a 64-bit timeline
 * that survives the 32-bit RTMP wrap. Video frames carry 4-byte length-prefixed NAL units without
 * delimiters or parameter sets ({@link AvccNormalizer}); a publisher's other NAL length sizes
 * (lengthSizeMinusOne in its AVCDecoderConfigurationRecord) are normalised here, once, so no
 * consumer needs to know them. Audio frames, and video frames already in that form (what
 * encoders send), are retained slices of the tag body, so a body must not be changed after it is
 * handed in. In-band parameter sets the configuration does not hold become a new configuration.
 * One instance per session, driven by one thread.
 */
public final class FlvToFrames {

    private static final int TAG_AUDIO = 8;
    private static final int TAG_VIDEO = 9;
    private static final int CODEC_AVC = 7;
    private static final int FRAME_TYPE_COMMAND = 5;
    private static final int AVC_SEQUENCE_HEADER = 0;
    private static final int AVC_NALU = 1;
    private static final int AVC_END_OF_SEQUENCE = 2;
    private static final int SOUND_AAC = 10;
    private static final int SOUND_EX_HEADER = 9;
    private static final int AAC_SEQUENCE_HEADER = 0;
    private static final int AAC_RAW = 1;
    private static final int TICKS_PER_MS = MediaFrame.CLOCK_RATE / 1000;

    private final ByteBufAllocator alloc;
    private final MediaSink sink;
    private final TimestampUnwrapper unwrapper = new TimestampUnwrapper();
    private final AvccNormalizer avcc = new AvccNormalizer();
    private long originMs = Long.MIN_VALUE;

    private VideoConfig videoConfig;
    private int nalLengthSize;
    private AudioConfig audioConfig;
    private boolean lastVideoKeyframe;

    public FlvToFrames(ByteBufAllocator alloc, MediaSink sink) {
        this.alloc = alloc;
        this.sink = sink;
    }

    /**
     * Handles one tag by FLV tag type (8 audio, 9 video); other types are {@link TagResult#IGNORED}.
     *
     * @param body the tag body, still owned by the caller; its reader index is not moved
     */
    public TagResult tag(int tagType, long timestampMs, ByteBuf body) {
        if (tagType == TAG_AUDIO) {
            return audio(timestampMs, body);
        }
        return tagType == TAG_VIDEO ? video(timestampMs, body) : TagResult.IGNORED;
    }

    /** Handles a VIDEODATA body; see {@link #tag}. */
    public TagResult video(long timestampMs, ByteBuf body) {
        lastVideoKeyframe = false;
        long dts = toTicks(timestampMs);
        int start = body.readerIndex();
        int length = body.readableBytes();
        if (length < 1) {
            return TagResult.malformed("empty video tag");
        }
        int first = body.getUnsignedByte(start);
        if ((first & 0x80) != 0) {
            // Enhanced RTMP: a FourCC (hvc1, av01, vp09, ...) follows the first byte.
            return TagResult.unsupportedCodec(length >= 5 ? "video " + fourCc(body, start + 1) : "enhanced RTMP video");
        }
        int frameType = first >> 4;
        int codecId = first & 0x0F;
        if (codecId != CODEC_AVC) {
            return TagResult.unsupportedCodec("video " + videoCodecName(codecId));
        }
        if (frameType == FRAME_TYPE_COMMAND) {
            return TagResult.IGNORED;
        }
        if (length < 5) {
            return TagResult.malformed("AVC video tag of " + length + " bytes");
        }
        int packetType = body.getUnsignedByte(start + 1);
        switch (packetType) {
            case AVC_SEQUENCE_HEADER:
                return avcSequenceHeader(body.slice(start + 5, length - 5));
            case AVC_NALU:
                return avcFrame(dts, body.getMedium(start + 2), body.slice(start + 5, length - 5));
            case AVC_END_OF_SEQUENCE:
                return TagResult.IGNORED;
            default:
                return TagResult.malformed("AVC packet type " + packetType);
        }
    }

    /** Handles an AUDIODATA body; see {@link #tag}. */
    public TagResult audio(long timestampMs, ByteBuf body) {
        long dts = toTicks(timestampMs);
        int start = body.readerIndex();
        int length = body.readableBytes();
        if (length < 1) {
            return TagResult.malformed("empty audio tag");
        }
        int soundFormat = body.getUnsignedByte(start) >> 4;
        if (soundFormat == SOUND_EX_HEADER && length >= 5) {
            return TagResult.unsupportedCodec("audio " + fourCc(body, start + 1));
        }
        if (soundFormat != SOUND_AAC) {
            return TagResult.unsupportedCodec("audio " + audioCodecName(soundFormat));
        }
        if (length < 2) {
            return TagResult.malformed("AAC audio tag of 1 byte");
        }
        int packetType = body.getUnsignedByte(start + 1);
        if (packetType == AAC_SEQUENCE_HEADER) {
            byte[] asc = new byte[length - 2];
            body.getBytes(start + 2, asc);
            return aacSequenceHeader(asc);
        }
        if (packetType != AAC_RAW) {
            return TagResult.malformed("AAC packet type " + packetType);
        }
        if (audioConfig == null || length == 2) {
            return TagResult.IGNORED;
        }
        MediaFrame frame = new MediaFrame(TrackType.AUDIO, dts, dts, true, body.retainedSlice(start + 2, length - 2));
        try {
            sink.onFrame(frame);
        } finally {
            frame.release();
        }
        return TagResult.ACCEPTED;
    }

    /** The current video configuration, or null before the first AVC sequence header. */
    public VideoConfig videoConfig() {
        return videoConfig;
    }

    /** Whether the video tag just handled was a frame handed on as a keyframe (an IDR access unit). */
    public boolean lastVideoKeyframe() {
        return lastVideoKeyframe;
    }

    /** The current audio configuration, or null before the first AAC sequence header. */
    public AudioConfig audioConfig() {
        return audioConfig;
    }

    private TagResult avcSequenceHeader(ByteBuf record) {
        VideoConfig config;
        AvcDecoderConfigurationRecord parsed;
        try {
            parsed = AvcDecoderConfigurationRecord.parse(record);
            config = videoConfig(parsed.sps(), parsed.pps());
        } catch (IllegalArgumentException e) {
            return TagResult.malformed(e.getMessage());
        }
        nalLengthSize = parsed.nalLengthSize();
        changeVideoConfig(config);
        return TagResult.ACCEPTED;
    }

    private static VideoConfig videoConfig(List<byte[]> spsList, List<byte[]> ppsList) {
        Sps info = SpsParser.parse(spsList.get(0));
        return new VideoConfig(
                spsList,
                ppsList,
                info.width(),
                info.height(),
                info.profileIdc(),
                info.constraintFlags(),
                info.levelIdc(),
                info.frameRate());
    }

    private void changeVideoConfig(VideoConfig config) {
        if (!config.equals(videoConfig)) {
            videoConfig = config;
            sink.onVideoConfig(config);
        }
    }

    /**
     * Parameter sets sent in band that the configuration lacks (a publisher changing its encoding
     * without a new sequence header) are merged into it by id, as a decoder would keep them;
     * repeats of the known ones, which some encoders send before every IDR, change nothing.
     */
    private TagResult inBandParameterSets(List<byte[]> spsList, List<byte[]> ppsList) {
        boolean news = false;
        for (List<byte[]> list : List.of(spsList, ppsList)) {
            for (byte[] nal : list) {
                news |= !videoConfig.holds(nal);
            }
        }
        if (!news) {
            return TagResult.ACCEPTED;
        }
        try {
            changeVideoConfig(videoConfig(
                    ParameterSets.merge(videoConfig.spsList(), spsList),
                    ParameterSets.merge(videoConfig.ppsList(), ppsList)));
        } catch (IllegalArgumentException e) {
            return TagResult.malformed("in-band parameter set: " + e.getMessage());
        }
        return TagResult.ACCEPTED;
    }

    private TagResult avcFrame(long dts, int compositionOffsetMs, ByteBuf nalUnits) {
        if (videoConfig == null) {
            return TagResult.IGNORED;
        }
        int cts = (compositionOffsetMs << 8) >> 8; // signed 24-bit
        ByteBuf accessUnit = avcc.normalize(alloc, nalUnits, nalLengthSize);
        if (avcc.lastWasMalformed()) {
            return TagResult.malformed("NAL unit lengths do not match the tag");
        }
        if (!avcc.inBandSps().isEmpty() || !avcc.inBandPps().isEmpty()) {
            TagResult result = inBandParameterSets(avcc.inBandSps(), avcc.inBandPps());
            if (result != TagResult.ACCEPTED) {
                if (accessUnit != null) {
                    accessUnit.release();
                }
                return result;
            }
        }
        if (accessUnit == null) {
            return TagResult.IGNORED; // delimiters or parameter sets alone
        }
        lastVideoKeyframe = avcc.lastWasIdr();
        MediaFrame frame =
                new MediaFrame(TrackType.VIDEO, dts, dts + (long) cts * TICKS_PER_MS, lastVideoKeyframe, accessUnit);
        try {
            sink.onFrame(frame);
        } finally {
            frame.release();
        }
        return TagResult.ACCEPTED;
    }

    private TagResult aacSequenceHeader(byte[] asc) {
        AudioSpecificConfig parsed;
        try {
            parsed = AudioSpecificConfig.parse(asc);
        } catch (IllegalArgumentException e) {
            return TagResult.malformed(e.getMessage());
        }
        if (!parsed.fitsAdts()) {
            return TagResult.unsupportedCodec("audio AAC object type " + parsed.coreObjectType());
        }
        AudioConfig config =
                new AudioConfig(asc, parsed.objectType(), parsed.sampleRate(), parsed.channelConfiguration());
        if (!config.equals(audioConfig)) {
            audioConfig = config;
            sink.onAudioConfig(config);
        }
        return TagResult.ACCEPTED;
    }

    private long toTicks(long timestampMs) {
        long ms = unwrapper.unwrap(timestampMs);
        if (originMs == Long.MIN_VALUE) {
            originMs = ms;
        }
        return (ms - originMs) * TICKS_PER_MS;
    }

    private static String fourCc(ByteBuf buf, int index) {
        StringBuilder s = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = buf.getUnsignedByte(index + i);
            s.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return s.toString();
    }

    private static String videoCodecName(int codecId) {
        switch (codecId) {
            case 2:
                return "Sorenson H.263";
            case 3:
                return "Screen video";
            case 4:
                return "On2 VP6";
            case 5:
                return "On2 VP6 with alpha";
            case 6:
                return "Screen video v2";
            case 12:
                return "HEVC";
            case 13:
                return "AV1";
            default:
                return "codec id " + codecId;
        }
    }

    private static String audioCodecName(int soundFormat) {
        switch (soundFormat) {
            case 0:
            case 3:
                return "Linear PCM";
            case 1:
                return "ADPCM";
            case 2:
            case 14:
                return "MP3";
            case 4:
            case 5:
            case 6:
                return "Nellymoser";
            case 7:
                return "G.711 A-law";
            case 8:
                return "G.711 mu-law";
            case 11:
                return "Speex";
            default:
                return "sound format " + soundFormat;
        }
    }
}
