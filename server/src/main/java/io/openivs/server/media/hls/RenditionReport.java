package io.openivs.server.media.hls;

/**
 * An EXT-X-RENDITION-REPORT (draft-pantos-hls-rfc8216bis 4.4.5.4): where another rendition of the
 * stream stood when the playlist was made, so a player switching to it can ask for its next part
 * straight away.
 *
 * @param uri that rendition's media playlist, relative to the playlist carrying the report
 * @param lastMsn the media sequence number of its last segment, or of its last part when it lists parts
 * @param lastPart the index of its last part in segment {@code lastMsn}, or -1 when it has none
 */
public record RenditionReport(String uri, long lastMsn, int lastPart) {}
