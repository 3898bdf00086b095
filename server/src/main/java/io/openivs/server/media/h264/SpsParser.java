package io.openivs.server.media.h264;

import io.openivs.server.media.bits.BitReader;

/** Parses an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1 and E.1.1, as far as frame rate). */
public final class SpsParser {

    private SpsParser() {}

    /**
     * @param nal the SPS NAL unit including its header byte, without start code or length prefix
     * @throws IllegalArgumentException if it is not a well-formed SPS
     */
    public static Sps parse(byte[] nal) {
        if (nal.length < 4 || (nal[0] & 0x1F) != NalUnitType.SPS) {
            throw new IllegalArgumentException("not an SPS NAL unit");
        }
        byte[] rbsp = NalUnits.unescape(nal, 1, nal.length - 1);
        BitReader r = new BitReader(rbsp);
        int profileIdc = r.readInt(8);
        int constraintFlags = r.readInt(8);
        int levelIdc = r.readInt(8);
        r.readUe(); // seq_parameter_set_id

        int chromaFormatIdc = 1;
        boolean separateColourPlane = false;
        if (hasChromaInfo(profileIdc)) {
            chromaFormatIdc = r.readUe();
            if (chromaFormatIdc > 3) {
                throw new IllegalArgumentException("chroma_format_idc " + chromaFormatIdc);
            }
            if (chromaFormatIdc == 3) {
                separateColourPlane = r.readFlag();
            }
            r.readUe(); // bit_depth_luma_minus8
            r.readUe(); // bit_depth_chroma_minus8
            r.readBit(); // qpprime_y_zero_transform_bypass_flag
            if (r.readFlag()) { // seq_scaling_matrix_present_flag
                int lists = chromaFormatIdc != 3 ? 8 : 12;
                for (int i = 0; i < lists; i++) {
                    if (r.readFlag()) {
                        skipScalingList(r, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        r.readUe(); // log2_max_frame_num_minus4
        int picOrderCntType = r.readUe();
        if (picOrderCntType == 0) {
            r.readUe(); // log2_max_pic_order_cnt_lsb_minus4
        } else if (picOrderCntType == 1) {
            r.readBit(); // delta_pic_order_always_zero_flag
            r.readSe(); // offset_for_non_ref_pic
            r.readSe(); // offset_for_top_to_bottom_field
            int cycle = r.readUe();
            for (int i = 0; i < cycle; i++) {
                r.readSe();
            }
        }
        r.readUe(); // max_num_ref_frames
        r.readBit(); // gaps_in_frame_num_value_allowed_flag
        int widthInMbs = r.readUe() + 1;
        int heightInMapUnits = r.readUe() + 1;
        boolean frameMbsOnly = r.readFlag();
        if (!frameMbsOnly) {
            r.readBit(); // mb_adaptive_frame_field_flag
        }
        r.readBit(); // direct_8x8_inference_flag
        int cropLeft = 0;
        int cropRight = 0;
        int cropTop = 0;
        int cropBottom = 0;
        if (r.readFlag()) { // frame_cropping_flag
            cropLeft = r.readUe();
            cropRight = r.readUe();
            cropTop = r.readUe();
            cropBottom = r.readUe();
        }
        int fieldFactor = frameMbsOnly ? 1 : 2;
        int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        int cropUnitX;
        int cropUnitY;
        if (chromaArrayType == 0) {
            cropUnitX = 1;
            cropUnitY = fieldFactor;
        } else {
            int subWidthC = chromaFormatIdc == 3 ? 1 : 2;
            int subHeightC = chromaFormatIdc == 1 ? 2 : 1;
            cropUnitX = subWidthC;
            cropUnitY = subHeightC * fieldFactor;
        }
        int width = widthInMbs * 16 - cropUnitX * (cropLeft + cropRight);
        int height = fieldFactor * heightInMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("cropping leaves no picture");
        }

        double frameRate = 0;
        if (r.readFlag()) { // vui_parameters_present_flag
            frameRate = readVuiFrameRate(r);
        }
        return new Sps(profileIdc, constraintFlags, levelIdc, chromaFormatIdc, width, height, frameRate);
    }

    private static boolean hasChromaInfo(int profileIdc) {
        switch (profileIdc) {
            case 100:
            case 110:
            case 122:
            case 244:
            case 44:
            case 83:
            case 86:
            case 118:
            case 128:
            case 138:
            case 139:
            case 134:
            case 135:
                return true;
            default:
                return false;
        }
    }

    private static void skipScalingList(BitReader r, int size) {
        int lastScale = 8;
        int nextScale = 8;
        for (int j = 0; j < size; j++) {
            if (nextScale != 0) {
                nextScale = (lastScale + r.readSe() + 256) % 256;
            }
            lastScale = nextScale == 0 ? lastScale : nextScale;
        }
    }

    /** Reads the VUI up to timing_info and returns the frame rate it signals, or 0. */
    private static double readVuiFrameRate(BitReader r) {
        if (r.readFlag()) { // aspect_ratio_info_present_flag
            int aspectRatioIdc = r.readInt(8);
            if (aspectRatioIdc == 255) { // Extended_SAR
                r.skipBits(32);
            }
        }
        if (r.readFlag()) { // overscan_info_present_flag
            r.readBit();
        }
        if (r.readFlag()) { // video_signal_type_present_flag
            r.skipBits(4); // video_format, video_full_range_flag
            if (r.readFlag()) { // colour_description_present_flag
                r.skipBits(24);
            }
        }
        if (r.readFlag()) { // chroma_loc_info_present_flag
            r.readUe();
            r.readUe();
        }
        if (!r.readFlag()) { // timing_info_present_flag
            return 0;
        }
        long numUnitsInTick = r.readBits(32);
        long timeScale = r.readBits(32);
        if (numUnitsInTick == 0 || timeScale == 0) {
            return 0;
        }
        // One frame is two field ticks (H.264 E.2.1).
        return timeScale / (2.0 * numUnitsInTick);
    }
}
