package io.openivs.server.media.ts.demux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.h264.NalUnitType;
import io.openivs.server.media.h264.Sps;
import io.openivs.server.media.h264.SpsParser;
import java.util.Arrays;

/**
 * Splits the Annex-B bytes of one H.264 PES (one access unit, as H.222.0 asks of H.264 carriage)
 * into NAL units, follows the SPS/PPS into a {@link VideoConfig}, and writes the access unit in
 * the pipeline's form ({@link AvccAccessUnit}). One per video PID; not thread-safe.
 */
final class H264Elementary {

    private int[] nals = new int[64];
    private int count;
    private byte[] sps;
    private byte[] pps;
    private VideoConfig config;
    private boolean configChanged;
    private boolean keyframe;

    /** The current config, or null before the first SPS and PPS that parse. */
    VideoConfig config() {
        return config;
    }

    /** Whether the last {@link #accessUnit} call changed {@link #config()}. */
    boolean configChanged() {
        return configChanged;
    }

    /** Whether the last access unit written holds an IDR picture. */
    boolean keyframe() {
        return keyframe;
    }

    /**
     * @param es the PES payload (readable bytes), not modified, reader index unmoved
     * @return the access unit in the pipeline's form (the caller owns it), or null when it holds
     *         no picture or comes before a usable config
     */
    ByteBuf accessUnit(ByteBufAllocator alloc, ByteBuf es) {
        configChanged = false;
        keyframe = false;
        split(es);
        byte[] newSps = null;
        byte[] newPps = null;
        for (int i = 0; i < count; i++) {
            int off = nals[2 * i];
            int type = es.getByte(off) & 0x1F;
            keyframe |= type == NalUnitType.IDR;
            if (type == NalUnitType.SPS && newSps == null) {
                newSps = ByteBufUtil.getBytes(es, off, nals[2 * i + 1]);
            } else if (type == NalUnitType.PPS && newPps == null) {
                newPps = ByteBufUtil.getBytes(es, off, nals[2 * i + 1]);
            }
        }
        if (newSps != null || newPps != null) {
            updateConfig(newSps != null ? newSps : sps, newPps != null ? newPps : pps);
        }
        if (config == null) {
            keyframe = false;
            return null;
        }
        ByteBuf out = AvccAccessUnit.write(alloc, es, nals, count);
        if (out == null) {
            keyframe = false;
        }
        return out;
    }

    private void updateConfig(byte[] newSps, byte[] newPps) {
        if (Arrays.equals(newSps, sps) && Arrays.equals(newPps, pps)) {
            return;
        }
        sps = newSps;
        pps = newPps;
        if (sps == null || pps == null) {
            return;
        }
        Sps info;
        try {
            info = SpsParser.parse(sps);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return;
        }
        VideoConfig next = new VideoConfig(
                sps,
                pps,
                info.width(),
                info.height(),
                info.profileIdc(),
                info.constraintFlags(),
                info.levelIdc(),
                info.frameRate());
        if (!next.equals(config)) {
            config = next;
            configChanged = true;
        }
    }

    /** Finds the NAL units between start codes; trailing zero bytes belong to the next start code. */
    private void split(ByteBuf es) {
        count = 0;
        int end = es.writerIndex();
        int code = startCode(es, es.readerIndex(), end);
        while (code >= 0) {
            int nal = code + 3;
            int next = startCode(es, nal, end);
            int nalEnd = next < 0 ? end : next;
            while (nalEnd > nal && es.getByte(nalEnd - 1) == 0) {
                nalEnd--;
            }
            if (nalEnd > nal) {
                if (2 * count + 2 > nals.length) {
                    nals = Arrays.copyOf(nals, nals.length * 2);
                }
                nals[2 * count] = nal;
                nals[2 * count + 1] = nalEnd - nal;
                count++;
            }
            code = next;
        }
    }

    /** Index of the next 00 00 01 at or after {@code from}, or -1; searches for the rare 01 byte first. */
    private static int startCode(ByteBuf buf, int from, int end) {
        int i = from + 2;
        while (i < end) {
            int one = buf.indexOf(i, end, (byte) 1);
            if (one < 0) {
                return -1;
            }
            if (buf.getByte(one - 1) == 0 && buf.getByte(one - 2) == 0) {
                return one - 2;
            }
            i = one + 1;
        }
        return -1;
    }
}
