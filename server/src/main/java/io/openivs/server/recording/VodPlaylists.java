package io.openivs.server.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.openivs.server.media.hls.PlaylistText;
import java.util.List;

/**
 * The playlists of a recording, in the shape of the files IVS auto-record writes (User Guide, "IVS Auto-Record
 * to Amazon S3"; the exact tags follow real recordings, which the guide does not spell out).
 */
final class VodPlaylists {
    /** One recorded segment: {@code <index>.ts} in the rendition folder. */
    record Entry(int index, long durationTicks, long programDateTime, boolean discontinuity, int size) {
        double seconds() {
            return durationTicks / 90_000.0;
        }

        /** As the journal and the recording ledger keep it: one array of its fields, in order. */
        void writeTo(ArrayNode a) {
            a.add(index)
                    .add(durationTicks)
                    .add(programDateTime)
                    .add(discontinuity)
                    .add(size);
        }

        static Entry read(JsonNode a) {
            return new Entry(
                    a.get(0).asInt(),
                    a.get(1).asLong(),
                    a.get(2).asLong(),
                    a.get(3).asBoolean(),
                    a.get(4).asInt());
        }
    }

    private VodPlaylists() {}

    /** A recorded rendition in the master, with its peak bits per second over a segment. */
    record Variant(Rendition rendition, long bandwidth) {}

    /** {@code master.m3u8} (or, with {@code byteRange}, {@code byte-range-multivariant.m3u8}): the first is the default. */
    static String master(String channelId, String account, List<Variant> variants, boolean byteRange) {
        StringBuilder out = new StringBuilder(256 + 320 * variants.size());
        out.append("#EXTM3U\n");
        out.append("#EXT-X-SESSION-DATA:DATA-ID=\"net.live-video.content.id\",VALUE=\"")
                .append(channelId)
                .append("\"\n");
        out.append("#EXT-X-SESSION-DATA:DATA-ID=\"net.live-video.customer.id\",VALUE=\"")
                .append(account)
                .append("\"\n");
        boolean first = true;
        for (Variant v : variants) {
            Rendition r = v.rendition();
            out.append("#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID=\"")
                    .append(r.name())
                    .append("\",NAME=\"")
                    .append(r.hasVideo() ? r.height() + "p" : r.name())
                    .append(first ? "\",AUTOSELECT=YES,DEFAULT=YES\n" : "\",AUTOSELECT=YES,DEFAULT=NO\n");
            out.append("#EXT-X-STREAM-INF:PROGRAM-ID=1,BANDWIDTH=")
                    .append(Math.max(1, v.bandwidth()))
                    .append(",CODECS=\"")
                    .append(r.codecs())
                    .append('"');
            if (r.hasVideo()) {
                out.append(",RESOLUTION=").append(r.width()).append('x').append(r.height());
            }
            out.append(",VIDEO=\"").append(r.name()).append("\"\n");
            out.append(r.name())
                    .append('/')
                    .append(byteRange ? "byte-range-variant.m3u8" : "playlist.m3u8")
                    .append('\n');
            first = false;
        }
        return out.toString();
    }

    /**
     * The rendition's {@code playlist.m3u8}: type EVENT while recording, VOD with EXT-X-ENDLIST at
     * the end. With {@code byteRange}, {@code byte-range-variant.m3u8}: each segment as one byte
     * range of its file (openivs segments are short, so one range per segment rather than per keyframe).
     */
    static String media(List<Entry> entries, boolean ended, boolean byteRange) {
        long longest = 1;
        for (Entry e : entries) {
            longest = Math.max(longest, e.durationTicks());
        }
        StringBuilder out = new StringBuilder(256 + 96 * entries.size());
        out.append("#EXTM3U\n");
        out.append("#EXT-X-VERSION:").append(byteRange ? 4 : 3).append('\n');
        out.append("#EXT-X-TARGETDURATION:").append((longest + 45_000) / 90_000).append('\n');
        out.append("#EXT-X-PLAYLIST-TYPE:")
                .append(ended || byteRange ? "VOD" : "EVENT")
                .append('\n');
        out.append("#EXT-X-MEDIA-SEQUENCE:0\n");
        long elapsed = 0;
        for (Entry e : entries) {
            elapsed += e.durationTicks();
        }
        out.append("#EXT-X-TWITCH-ELAPSED-SECS:0.000\n");
        PlaylistText.appendFixed(out.append("#EXT-X-TWITCH-TOTAL-SECS:"), elapsed / 90_000.0, 3)
                .append('\n');
        for (Entry e : entries) {
            if (e.discontinuity()) {
                out.append("#EXT-X-DISCONTINUITY\n");
            }
            out.append("#EXT-X-PROGRAM-DATE-TIME:");
            PlaylistText.appendDateTime(out, e.programDateTime()).append('\n');
            PlaylistText.appendFixed(out.append("#EXTINF:"), e.seconds(), 3).append(",\n");
            if (byteRange) {
                out.append("#EXT-X-BYTERANGE:").append(e.size()).append("@0\n");
            }
            out.append(e.index()).append(".ts\n");
        }
        if (ended || byteRange) {
            out.append("#EXT-X-ENDLIST\n");
        }
        return out.toString();
    }
}
