package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.openivs.server.media.fmp4.InitSegment;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.PlaylistWriter;
import io.openivs.server.media.hls.Segment;
import java.util.List;

/**
 * What playback serves for a FRAGMENTED_MP4 channel besides what TS channels have: a media
 * playlist with EXT-X-MAP and the init segments it names. An init segment is named by the
 * discontinuity sequence of the segments it serves ({@code init-3.mp4}), since only a
 * discontinuity can change the codec configuration, and is made on request from the
 * configuration a segment of the window records.
 */
final class Fmp4Playback {

    static final String INIT_TYPE = "video/mp4";
    static final String SEGMENT_TYPE = "video/mp4";

    private Fmp4Playback() {}

    /**
     * @param childQuery appended to every URI (a private channel's token), or empty
     * @param lowLatency the LL-HLS parts to list, or null for regular HLS
     * @param ended      closes the playlist with EXT-X-ENDLIST (the server is shutting down)
     */
    static String mediaPlaylist(
            List<Segment> segments, int targetDuration, String childQuery, LowLatency lowLatency, boolean ended) {
        return PlaylistWriter.media(
                segments,
                targetDuration,
                seq -> seq + ".m4s" + childQuery,
                ended,
                segment -> "init-" + segment.discontinuitySequence() + ".mp4" + childQuery,
                lowLatency);
    }

    /** The init segment for the segments of one discontinuity sequence, or null when none is in the window. */
    static ByteBuf initSegment(List<Segment> segments, long discontinuitySequence) {
        for (Segment s : segments) {
            if (s.discontinuitySequence() == discontinuitySequence) {
                return InitSegment.write(ByteBufAllocator.DEFAULT, s.video(), s.audio());
            }
        }
        return null;
    }
}
