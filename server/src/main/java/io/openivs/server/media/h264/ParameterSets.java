package io.openivs.server.media.h264;

import io.openivs.server.media.bits.BitReader;
import java.util.ArrayList;
import java.util.List;

/** Merges parameter sets sent in band into the known ones, by their ids, as a decoder keeps them. */
public final class ParameterSets {

    private ParameterSets() {}

    /**
     * The known parameter sets of one kind updated with those an access unit carried: one with the
     * id of a known one replaces it, one with a new id is added. The last in-band one goes first,
     * since the first SPS is the one a configuration describes.
     *
     * @throws IllegalArgumentException if an in-band parameter set is too short to hold its id
     */
    public static List<byte[]> merge(List<byte[]> known, List<byte[]> inBand) {
        List<byte[]> merged = new ArrayList<>(known);
        for (byte[] nal : inBand) {
            int id = id(nal);
            merged.removeIf(k -> id(k) == id);
            merged.add(0, nal);
        }
        return merged;
    }

    /** seq_parameter_set_id of an SPS or pic_parameter_set_id of a PPS (H.264 7.3.2.1, 7.3.2.2). */
    static int id(byte[] nal) {
        boolean sps = (nal[0] & 0x1F) == NalUnitType.SPS;
        // An SPS starts with profile_idc, the constraint flags and level_idc: 3 bytes before its id.
        int skip = sps ? 4 : 1;
        byte[] rbsp = NalUnits.unescape(nal, skip, Math.max(0, Math.min(nal.length - skip, 8)));
        return (sps ? 0x100 : 0) | new BitReader(rbsp).readUe();
    }
}
