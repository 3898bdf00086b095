package io.openivs.server.media.ts;

import io.netty.buffer.ByteBuf;

/** Builds the PAT and PMT sections (ISO/IEC 13818-1 2.4.4) of the single program a segment carries. */
final class ProgramTables {

    static final int PID_PAT = 0x0000;
    static final int PID_PMT = 0x1000;
    static final int STREAM_TYPE_H264 = 0x1B;
    static final int STREAM_TYPE_AAC_ADTS = 0x0F;
    /** PES-carried metadata (ISO/IEC 13818-1 2.12): timed ID3 as in Apple's HLS timed-metadata layout. */
    static final int STREAM_TYPE_METADATA = 0x15;

    private static final int METADATA_POINTER_DESCRIPTOR = 0x25;
    private static final int METADATA_DESCRIPTOR = 0x26;
    // metadata_application_format 0xFFFF (identified by the next field), 'ID3 ', metadata_format 0xFF, 'ID3 ',
    // metadata_service_id 0: the common head of both descriptors.
    private static final byte[] ID3_FORMAT = {
        (byte) 0xFF, (byte) 0xFF, 'I', 'D', '3', ' ', (byte) 0xFF, 'I', 'D', '3', ' ', 0
    };
    private static final int POINTER_LENGTH = 2 + ID3_FORMAT.length + 1 + 2;
    private static final int DESCRIPTOR_LENGTH = 2 + ID3_FORMAT.length + 1;

    private static final int TRANSPORT_STREAM_ID = 1;
    private static final int PROGRAM_NUMBER = 1;
    // reserved '11', version_number 0, current_next_indicator 1
    private static final int VERSION_CURRENT = 0xC1;
    static final int VERSION_MASK = 0x1F;

    private ProgramTables() {}

    static void writePat(ByteBuf out) {
        int start = out.writerIndex();
        out.writeByte(0x00); // table_id
        out.writeShort(0xB000 | 13); // section_syntax_indicator, '0', reserved, section_length
        out.writeShort(TRANSPORT_STREAM_ID);
        out.writeByte(VERSION_CURRENT);
        out.writeByte(0); // section_number
        out.writeByte(0); // last_section_number
        out.writeShort(PROGRAM_NUMBER);
        out.writeShort(0xE000 | PID_PMT);
        out.writeInt(Crc32Mpeg2.compute(out, start, out.writerIndex() - start));
    }

    /**
     * A metadata stream ({@link #STREAM_TYPE_METADATA}) is declared as timed ID3: a
     * metadata_pointer_descriptor for the program and a metadata_descriptor on the stream, which is
     * what players (hls.js, Safari) and ffmpeg look for.
     *
     * @param streamTypes stream_type of each elementary stream, parallel to {@code pids}
     * @param count how many entries of the arrays are used
     */
    static void writePmt(ByteBuf out, int pcrPid, int[] streamTypes, int[] pids, int count) {
        writePmt(out, 0, pcrPid, streamTypes, pids, count);
    }

    /** @param version version_number (5 bits): a PMT whose content differs from the last one on its PID takes the next */
    static void writePmt(ByteBuf out, int version, int pcrPid, int[] streamTypes, int[] pids, int count) {
        boolean metadata = false;
        for (int i = 0; i < count; i++) {
            metadata |= streamTypes[i] == STREAM_TYPE_METADATA;
        }
        int start = out.writerIndex();
        out.writeByte(0x02); // table_id
        int lengthAt = out.writerIndex();
        out.writeShort(0);
        out.writeShort(PROGRAM_NUMBER);
        out.writeByte(VERSION_CURRENT | (version & VERSION_MASK) << 1);
        out.writeByte(0);
        out.writeByte(0);
        out.writeShort(0xE000 | pcrPid);
        if (metadata) {
            out.writeShort(0xF000 | POINTER_LENGTH);
            out.writeByte(METADATA_POINTER_DESCRIPTOR);
            out.writeByte(POINTER_LENGTH - 2);
            out.writeBytes(ID3_FORMAT);
            out.writeByte(0x1F); // metadata_locator_record_flag 0, MPEG_carriage_flags 0 (this stream), reserved
            out.writeShort(PROGRAM_NUMBER);
        } else {
            out.writeShort(0xF000); // program_info_length 0
        }
        for (int i = 0; i < count; i++) {
            out.writeByte(streamTypes[i]);
            out.writeShort(0xE000 | pids[i]);
            if (streamTypes[i] == STREAM_TYPE_METADATA) {
                out.writeShort(0xF000 | DESCRIPTOR_LENGTH);
                out.writeByte(METADATA_DESCRIPTOR);
                out.writeByte(DESCRIPTOR_LENGTH - 2);
                out.writeBytes(ID3_FORMAT);
                out.writeByte(0x0F); // decoder_config_flags 0, DSM-CC_flag 0, reserved
            } else {
                out.writeShort(0xF000); // ES_info_length 0
            }
        }
        // section_length counts from after itself through the CRC.
        out.setShort(lengthAt, 0xB000 | (out.writerIndex() - lengthAt - 2 + 4));
        out.writeInt(Crc32Mpeg2.compute(out, start, out.writerIndex() - start));
    }
}
