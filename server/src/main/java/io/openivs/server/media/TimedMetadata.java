package io.openivs.server.media;

/**
 * A timed metadata item (PutMetadata): an ID3v2 tag shown to players at one media time. It travels
 * beside the {@link MediaFrame}s so each container carries it its own way (MPEG-TS: a PES on the
 * timed-metadata PID; fMP4: an {@code emsg} box holding the same tag).
 *
 * @param pts presentation time on the same clock as {@link MediaFrame#pts()} (90 kHz, per publisher session)
 * @param id3 the complete ID3v2 tag, header included; not modified by anyone after construction
 * @param ivsPlayerOnly for the Amazon IVS player alone (a segment's latency stamp): fMP4 carries it only
 *        in the scheme that player reads, so CMAF players such as hls.js raise no cue for it (MPEG-TS
 *        has one metadata stream for every player)
 */
public record TimedMetadata(long pts, byte[] id3, boolean ivsPlayerOnly) {

    /** An item for every player. */
    public TimedMetadata(long pts, byte[] id3) {
        this(pts, id3, false);
    }

    /** The same item at another time. */
    public TimedMetadata at(long newPts) {
        return new TimedMetadata(newPts, id3, ivsPlayerOnly);
    }
}
