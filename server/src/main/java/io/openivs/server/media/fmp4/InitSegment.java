package io.openivs.server.media.fmp4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.h264.SpsParser;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the fMP4 initialization segment (the one HLS names in EXT-X-MAP): {@code ftyp} and a
 * {@code moov} whose tracks have empty sample tables and a {@code mvex}, so every sample lives in
 * the fragments {@link FragmentWriter} writes. The decoder configuration comes from the stream
 * ({@code avcC} from its SPS/PPS, {@code esds} from its AudioSpecificConfig).
 *
 * <p>Video runs on the 90 kHz clock of {@link MediaFrame}; audio on its sampling rate, so each
 * AAC frame lasts exactly 1024 ticks.
 */
public final class InitSegment {

    private static final int[] MATRIX = {0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000};
    private static final int LANGUAGE_UND = ('u' - 0x60) << 10 | ('n' - 0x60) << 5 | ('d' - 0x60);

    private InitSegment() {}

    /** Timescale of the video track: the 90 kHz frame clock, so timestamps need no conversion. */
    public static int videoTimescale() {
        return MediaFrame.CLOCK_RATE;
    }

    /** Timescale of the audio track: the AAC core sampling rate. */
    public static int audioTimescale(AudioConfig audio) {
        return audio.sampleRate();
    }

    /**
     * @param video video configuration, or null for an audio-only stream
     * @param audio audio configuration, or null for a video-only stream
     * @return a new buffer the caller owns
     */
    public static ByteBuf write(ByteBufAllocator alloc, VideoConfig video, AudioConfig audio) {
        if (video == null && audio == null) {
            throw new IllegalArgumentException("no track");
        }
        ByteBuf out = alloc.buffer(1024);
        writeFtyp(out);
        int moov = Boxes.begin(out, Boxes.type("moov"));
        writeMvhd(out);
        if (video != null) {
            writeVideoTrak(out, video);
        }
        if (audio != null) {
            writeAudioTrak(out, audio);
        }
        int mvex = Boxes.begin(out, Boxes.type("mvex"));
        if (video != null) {
            writeTrex(out, TrackIds.VIDEO, SampleFlags.NON_SYNC);
        }
        if (audio != null) {
            writeTrex(out, TrackIds.AUDIO, SampleFlags.SYNC);
        }
        Boxes.end(out, mvex);
        Boxes.end(out, moov);
        return out;
    }

    private static void writeFtyp(ByteBuf out) {
        int ftyp = Boxes.begin(out, Boxes.type("ftyp"));
        // iso6 for version 1 trun (signed composition offsets). Not cmfc: a CMAF track holds one
        // media track, and these segments carry audio and video together, as HLS allows.
        out.writeInt(Boxes.type("iso6"));
        out.writeInt(0);
        for (String brand : new String[] {"iso6", "iso5", "mp41"}) {
            out.writeInt(Boxes.type(brand));
        }
        Boxes.end(out, ftyp);
    }

    private static void writeMvhd(ByteBuf out) {
        int mvhd = Boxes.beginFull(out, Boxes.type("mvhd"), 0, 0);
        out.writeInt(0); // creation_time
        out.writeInt(0); // modification_time
        out.writeInt(1000); // timescale
        out.writeInt(0); // duration: unknown, the fragments hold it
        out.writeInt(0x0001_0000); // rate 1.0
        out.writeShort(0x0100); // volume 1.0
        out.writeZero(2 + 8); // reserved
        writeMatrix(out);
        out.writeZero(6 * 4); // pre_defined
        out.writeInt(TrackIds.AUDIO + 1); // next_track_ID
        Boxes.end(out, mvhd);
    }

    private static void writeVideoTrak(ByteBuf out, VideoConfig video) {
        int trak = Boxes.begin(out, Boxes.type("trak"));
        writeTkhd(out, TrackIds.VIDEO, false, video.width(), video.height());
        int mdia = Boxes.begin(out, Boxes.type("mdia"));
        writeMdhd(out, videoTimescale());
        writeHdlr(out, "vide", "VideoHandler");
        int minf = Boxes.begin(out, Boxes.type("minf"));
        int vmhd = Boxes.beginFull(out, Boxes.type("vmhd"), 0, 1);
        out.writeZero(2 + 3 * 2); // graphicsmode, opcolor
        Boxes.end(out, vmhd);
        writeDinf(out);
        int stbl = beginStbl(out);
        int avc1 = Boxes.begin(out, Boxes.type("avc1"));
        out.writeZero(6); // reserved
        out.writeShort(1); // data_reference_index
        out.writeZero(2 + 2 + 3 * 4); // pre_defined, reserved, pre_defined
        out.writeShort(video.width());
        out.writeShort(video.height());
        out.writeInt(0x0048_0000); // 72 dpi
        out.writeInt(0x0048_0000);
        out.writeInt(0); // reserved
        out.writeShort(1); // frame_count
        out.writeZero(32); // compressorname
        out.writeShort(0x0018); // depth
        out.writeShort(-1); // pre_defined
        writeAvcC(out, video);
        Boxes.end(out, avc1);
        endStbl(out, stbl);
        Boxes.end(out, minf);
        Boxes.end(out, mdia);
        Boxes.end(out, trak);
    }

    /** AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.3.3.1, with 4-byte NAL lengths. */
    private static void writeAvcC(ByteBuf out, VideoConfig video) {
        byte[] sps = video.sps();
        int avcC = Boxes.begin(out, Boxes.type("avcC"));
        out.writeByte(1); // configurationVersion
        out.writeByte(sps[1]); // profile, compatibility and level as the SPS has them
        out.writeByte(sps[2]);
        out.writeByte(sps[3]);
        out.writeByte(0xFC | 3); // lengthSizeMinusOne
        // Every parameter set the stream has: samples carry none (see MediaFrame).
        List<byte[]> spsList = video.spsList();
        out.writeByte(0xE0 | spsList.size());
        for (byte[] nal : spsList) {
            out.writeShort(nal.length);
            out.writeBytes(nal);
        }
        List<byte[]> ppsList = video.ppsList();
        out.writeByte(ppsList.size());
        for (byte[] nal : ppsList) {
            out.writeShort(nal.length);
            out.writeBytes(nal);
        }
        int profile = video.profileIdc();
        if (profile == 100 || profile == 110 || profile == 122 || profile == 144) {
            // Required for these profiles. Bit depth is assumed 8: the SPS parser does not keep it,
            // and decoders take it from the SPS itself.
            out.writeByte(0xFC | SpsParser.parse(sps).chromaFormatIdc());
            out.writeByte(0xF8);
            out.writeByte(0xF8);
            out.writeByte(0); // numOfSequenceParameterSetExt
        }
        Boxes.end(out, avcC);
    }

    private static void writeAudioTrak(ByteBuf out, AudioConfig audio) {
        int trak = Boxes.begin(out, Boxes.type("trak"));
        writeTkhd(out, TrackIds.AUDIO, true, 0, 0);
        int mdia = Boxes.begin(out, Boxes.type("mdia"));
        writeMdhd(out, audioTimescale(audio));
        writeHdlr(out, "soun", "SoundHandler");
        int minf = Boxes.begin(out, Boxes.type("minf"));
        int smhd = Boxes.beginFull(out, Boxes.type("smhd"), 0, 0);
        out.writeZero(4); // balance, reserved
        Boxes.end(out, smhd);
        writeDinf(out);
        int stbl = beginStbl(out);
        int mp4a = Boxes.begin(out, Boxes.type("mp4a"));
        out.writeZero(6);
        out.writeShort(1); // data_reference_index
        out.writeZero(8); // reserved
        out.writeShort(audio.channels() > 0 ? audio.channels() : 2);
        out.writeShort(16); // samplesize
        out.writeZero(4); // pre_defined, reserved
        // 16.16 fixed point; rates above 65535 Hz do not fit and the esds is the authority anyway.
        out.writeInt(audio.sampleRate() < 0x1_0000 ? audio.sampleRate() << 16 : 0);
        writeEsds(out, audio);
        Boxes.end(out, mp4a);
        endStbl(out, stbl);
        Boxes.end(out, minf);
        Boxes.end(out, mdia);
        Boxes.end(out, trak);
    }

    /** ES_Descriptor with the AudioSpecificConfig, ISO/IEC 14496-1 7.2.6.5 and 14496-14 5.6. */
    private static void writeEsds(ByteBuf out, AudioConfig audio) {
        byte[] asc = audio.audioSpecificConfig();
        int esds = Boxes.beginFull(out, Boxes.type("esds"), 0, 0);
        int decoderSpecificInfo = 2 + asc.length;
        int decoderConfig = 2 + 13 + decoderSpecificInfo;
        int slConfig = 2 + 1;
        out.writeByte(0x03); // ES_DescrTag
        writeDescriptorLength(out, 3 + decoderConfig + slConfig);
        out.writeShort(TrackIds.AUDIO); // ES_ID
        out.writeByte(0); // no stream dependence, URL or OCR stream
        out.writeByte(0x04); // DecoderConfigDescrTag
        writeDescriptorLength(out, 13 + decoderSpecificInfo);
        out.writeByte(0x40); // objectTypeIndication: MPEG-4 audio
        out.writeByte(0x05 << 2 | 1); // streamType audio, upStream 0, reserved 1
        out.writeMedium(0); // bufferSizeDB: unknown
        out.writeInt(0); // maxBitrate: unknown
        out.writeInt(0); // avgBitrate: variable or unknown
        out.writeByte(0x05); // DecSpecificInfoTag
        writeDescriptorLength(out, asc.length);
        out.writeBytes(asc);
        out.writeByte(0x06); // SLConfigDescrTag
        writeDescriptorLength(out, 1);
        out.writeByte(0x02); // predefined: MP4 files
        Boxes.end(out, esds);
    }

    private static void writeDescriptorLength(ByteBuf out, int length) {
        if (length > 0x7F) {
            throw new IllegalArgumentException("descriptor too long: " + length);
        }
        out.writeByte(length);
    }

    private static void writeTkhd(ByteBuf out, int trackId, boolean audio, int width, int height) {
        int tkhd = Boxes.beginFull(out, Boxes.type("tkhd"), 0, 0x3); // enabled, in movie
        out.writeInt(0); // creation_time
        out.writeInt(0); // modification_time
        out.writeInt(trackId);
        out.writeInt(0); // reserved
        out.writeInt(0); // duration
        out.writeZero(8); // reserved
        out.writeShort(0); // layer
        out.writeShort(audio ? 1 : 0); // alternate_group
        out.writeShort(audio ? 0x0100 : 0); // volume
        out.writeShort(0); // reserved
        writeMatrix(out);
        out.writeInt(width << 16);
        out.writeInt(height << 16);
        Boxes.end(out, tkhd);
    }

    private static void writeMdhd(ByteBuf out, int timescale) {
        int mdhd = Boxes.beginFull(out, Boxes.type("mdhd"), 0, 0);
        out.writeInt(0); // creation_time
        out.writeInt(0); // modification_time
        out.writeInt(timescale);
        out.writeInt(0); // duration
        out.writeShort(LANGUAGE_UND);
        out.writeShort(0); // pre_defined
        Boxes.end(out, mdhd);
    }

    private static void writeHdlr(ByteBuf out, String handler, String name) {
        int hdlr = Boxes.beginFull(out, Boxes.type("hdlr"), 0, 0);
        out.writeInt(0); // pre_defined
        out.writeInt(Boxes.type(handler));
        out.writeZero(3 * 4); // reserved
        out.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        out.writeByte(0);
        Boxes.end(out, hdlr);
    }

    private static void writeDinf(ByteBuf out) {
        int dinf = Boxes.begin(out, Boxes.type("dinf"));
        int dref = Boxes.beginFull(out, Boxes.type("dref"), 0, 0);
        out.writeInt(1); // entry_count
        int url = Boxes.beginFull(out, Boxes.type("url "), 0, 1); // media in this file
        Boxes.end(out, url);
        Boxes.end(out, dref);
        Boxes.end(out, dinf);
    }

    /** Opens stbl and stsd with its one entry, which the caller writes. */
    private static int beginStbl(ByteBuf out) {
        int stbl = Boxes.begin(out, Boxes.type("stbl"));
        Boxes.beginFull(out, Boxes.type("stsd"), 0, 0);
        out.writeInt(1); // entry_count
        return stbl;
    }

    /** Closes stsd and adds the empty sample tables a fragmented file has. */
    private static void endStbl(ByteBuf out, int stbl) {
        Boxes.end(out, stbl + 8); // stsd directly follows the stbl header
        writeEmptyTable(out, "stts");
        writeEmptyTable(out, "stsc");
        int stsz = Boxes.beginFull(out, Boxes.type("stsz"), 0, 0);
        out.writeInt(0); // sample_size
        out.writeInt(0); // sample_count
        Boxes.end(out, stsz);
        writeEmptyTable(out, "stco");
        Boxes.end(out, stbl);
    }

    private static void writeEmptyTable(ByteBuf out, String type) {
        int box = Boxes.beginFull(out, Boxes.type(type), 0, 0);
        out.writeInt(0); // entry_count
        Boxes.end(out, box);
    }

    private static void writeTrex(ByteBuf out, int trackId, int defaultFlags) {
        int trex = Boxes.beginFull(out, Boxes.type("trex"), 0, 0);
        out.writeInt(trackId);
        out.writeInt(1); // default_sample_description_index
        out.writeInt(0); // default_sample_duration
        out.writeInt(0); // default_sample_size
        out.writeInt(defaultFlags);
        Boxes.end(out, trex);
    }

    private static void writeMatrix(ByteBuf out) {
        for (int v : MATRIX) {
            out.writeInt(v);
        }
    }
}
