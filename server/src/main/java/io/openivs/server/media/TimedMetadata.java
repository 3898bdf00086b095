package io.openivs.server.media;

/**
 * A timed metadata item (PutMetadata): an ID3v2 tag shown to players at one media time. It travels
 * beside the {@link MediaFrame}s so each container carries it its own way (MPEG-TS: a PES on the
 * timed-metadata PID; fMP4: an {@code emsg} box holding the same tag).
 *
 * @param pts presentation time on the same clock as {@link MediaFrame#pts()} (90 kHz, per publisher session)
 * @param id3 the complete ID3v2 tag, header included; not modified by anyone after construction
 */
public record TimedMetadata(long pts, byte[] id3) {}
