package io.openivs.server.media;

/**
 * An ad break the publisher's encoder announced in its stream (an SCTE-35 splice_insert leaving the
 * network), beside the {@link MediaFrame}s. The live side turns it into the playlist's ad-break marker.
 *
 * @param eventId splice_event_id, the encoder's name for the break (repeated announcements share it)
 * @param pts where the break starts, on the frames' clock; {@link Long#MIN_VALUE} for "at once"
 * @param durationTicks the break's length in 90 kHz ticks, or -1 when the encoder gave none
 * @param section the splice_info_section as received (table id to CRC), not modified by anyone
 */
public record SpliceCue(int eventId, long pts, long durationTicks, byte[] section) {
    public static final long IMMEDIATE = Long.MIN_VALUE;
}
