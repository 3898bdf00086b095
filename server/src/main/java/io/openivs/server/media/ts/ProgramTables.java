package io.openivs.server.media.ts;

import io.netty.buffer.ByteBuf;

/** Builds the PAT and PMT sections (ISO/IEC 13818-1 2.4.4) of the single program a segment carries. */
final class ProgramTables {

    static final int PID_PAT = 0x0000;
    static final int PID_PMT = 0x1000;
    static final int STREAM_TYPE_H264 = 0x1B;
    static final int STREAM_TYPE_AAC_ADTS = 0x0F;
    /** PES-carried metadata (timed ID3, Apple HLS timed metadata); written by a later change. */
    static final int STREAM_TYPE_METADATA = 0x15;

    private static final int TRANSPORT_STREAM_ID = 1;
    private static final int PROGRAM_NUMBER = 1;
    // reserved '11', version_number 0, current_next_indicator 1
    private static final int VERSION_CURRENT = 0xC1;

    private ProgramTables() {
    }

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
     * @param streamTypes stream_type of each elementary stream, parallel to {@code pids}
     * @param count how many entries of the arrays are used
     */
    static void writePmt(ByteBuf out, int pcrPid, int[] streamTypes, int[] pids, int count) {
        int start = out.writerIndex();
        out.writeByte(0x02); // table_id
        out.writeShort(0xB000 | (9 + 5 * count + 4));
        out.writeShort(PROGRAM_NUMBER);
        out.writeByte(VERSION_CURRENT);
        out.writeByte(0);
        out.writeByte(0);
        out.writeShort(0xE000 | pcrPid);
        out.writeShort(0xF000); // program_info_length 0
        for (int i = 0; i < count; i++) {
            out.writeByte(streamTypes[i]);
            out.writeShort(0xE000 | pids[i]);
            out.writeShort(0xF000); // ES_info_length 0
        }
        out.writeInt(Crc32Mpeg2.compute(out, start, out.writerIndex() - start));
    }
}
