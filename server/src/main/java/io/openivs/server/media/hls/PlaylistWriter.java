package io.openivs.server.media.hls;

import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;

/** Writes HLS playlists (RFC 8216) for segments and variants that others produced. */
public final class PlaylistWriter {

    private PlaylistWriter() {}

    /**
     * A media playlist of the given window.
     *
     * @param segments the window, oldest first (as {@link Segmenter#segments()} gives it)
     * @param targetDuration EXT-X-TARGETDURATION, from {@link Segmenter#targetDurationSeconds()}
     * @param uri the URI of a segment, relative to the playlist, by sequence number
     * @param ended whether the stream is over (adds EXT-X-ENDLIST)
     */
    public static String media(List<Segment> segments, int targetDuration, LongFunction<String> uri, boolean ended) {
        return media(segments, targetDuration, uri, ended, null);
    }

    /**
     * A media playlist whose segments need an initialization segment (fMP4): an EXT-X-MAP goes
     * before the first segment and again wherever the URI changes (a new codec configuration).
     *
     * @param mapUri the URI of a segment's init segment, relative to the playlist, or null for
     *        self-contained segments (MPEG-TS)
     */
    public static String media(
            List<Segment> segments,
            int targetDuration,
            LongFunction<String> uri,
            boolean ended,
            Function<Segment, String> mapUri) {
        return media(segments, targetDuration, uri, ended, mapUri, null);
    }

    /**
     * A media playlist, with LL-HLS partial segments when {@code lowLatency} is not null
     * (draft-pantos-hls-rfc8216bis 4.4.3.7-4.4.5.2): server control for blocking reloads, the parts
     * of the newest few segments and of the one being written, and a preload hint for the next part.
     */
    public static String media(
            List<Segment> segments,
            int targetDuration,
            LongFunction<String> uri,
            boolean ended,
            Function<Segment, String> mapUri,
            LowLatency lowLatency) {
        StringBuilder out = new StringBuilder(128 + 128 * segments.size());
        out.append("#EXTM3U\n");
        // EXT-X-MAP in a playlist that is not I-frames only needs version 6; 7 as fMP4 HLS usually declares.
        out.append(mapUri == null ? "#EXT-X-VERSION:3\n" : "#EXT-X-VERSION:7\n");
        out.append("#EXT-X-TARGETDURATION:").append(targetDuration).append('\n');
        if (lowLatency != null) {
            double partTarget = lowLatency.partTargetSeconds();
            // PART-HOLD-BACK must be at least three part targets.
            out.append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=");
            PlaylistText.appendFixed(out, 3 * partTarget, 3).append('\n');
            out.append("#EXT-X-PART-INF:PART-TARGET=");
            PlaylistText.appendFixed(out, partTarget, 3).append('\n');
        }
        // Each segment starts with a keyframe and its parameter sets.
        out.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
        long mediaSequence = segments.isEmpty() ? 0 : segments.get(0).sequence();
        out.append("#EXT-X-MEDIA-SEQUENCE:").append(mediaSequence).append('\n');
        if (!segments.isEmpty()) {
            Segment first = segments.get(0);
            long discontinuitySequence = first.discontinuitySequence() - (first.discontinuity() ? 1 : 0);
            if (discontinuitySequence > 0) {
                out.append("#EXT-X-DISCONTINUITY-SEQUENCE:")
                        .append(discontinuitySequence)
                        .append('\n');
            }
        }
        String map = null;
        int withParts = lowLatency == null ? segments.size() : segments.size() - LowLatency.SEGMENTS_WITH_PARTS;
        for (int i = 0; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            if (segment.discontinuity()) {
                out.append("#EXT-X-DISCONTINUITY\n");
            }
            if (mapUri != null && !mapUri.apply(segment).equals(map)) {
                map = mapUri.apply(segment);
                out.append("#EXT-X-MAP:URI=\"").append(map).append("\"\n");
            }
            out.append("#EXT-X-PROGRAM-DATE-TIME:");
            PlaylistText.appendDateTime(out, segment.programDateTime()).append('\n');
            for (DateRange range : segment.dateRanges()) {
                dateRange(out, range);
            }
            if (i >= withParts) {
                parts(out, segment.parts(), lowLatency.partUri());
            }
            out.append("#EXTINF:");
            PlaylistText.appendFixed(out, segment.durationSeconds(), 3).append(",\n");
            out.append(uri.apply(segment.sequence())).append('\n');
        }
        if (lowLatency != null && !ended && !lowLatency.nextIsDiscontinuity()) {
            if (lowLatency.inProgressDate() != Long.MIN_VALUE) {
                out.append("#EXT-X-PROGRAM-DATE-TIME:");
                PlaylistText.appendDateTime(out, lowLatency.inProgressDate()).append('\n');
            }
            parts(out, lowLatency.inProgress(), lowLatency.partUri());
            out.append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"")
                    .append(lowLatency
                            .partUri()
                            .of(
                                    lowLatency.nextSequence(),
                                    lowLatency.inProgress().size()))
                    .append("\"\n");
        }
        if (lowLatency != null) {
            for (RenditionReport r : lowLatency.reports()) {
                out.append("#EXT-X-RENDITION-REPORT:URI=\"")
                        .append(r.uri())
                        .append("\",LAST-MSN=")
                        .append(r.lastMsn());
                if (r.lastPart() >= 0) {
                    out.append(",LAST-PART=").append(r.lastPart());
                }
                out.append('\n');
            }
        }
        if (ended) {
            out.append("#EXT-X-ENDLIST\n");
        }
        return out.toString();
    }

    private static void parts(StringBuilder out, List<Part> parts, LowLatency.PartUri uri) {
        for (Part p : parts) {
            out.append("#EXT-X-PART:DURATION=");
            PlaylistText.appendFixed(out, p.durationSeconds(), 5)
                    .append(",URI=\"")
                    .append(uri.of(p.sequence(), p.index()))
                    .append('"');
            if (p.independent()) {
                out.append(",INDEPENDENT=YES");
            }
            out.append('\n');
        }
    }

    private static void dateRange(StringBuilder out, DateRange range) {
        out.append("#EXT-X-DATERANGE:ID=\"").append(range.id()).append("\",START-DATE=\"");
        PlaylistText.appendDateTime(out, range.startMillis()).append('"');
        if (!Double.isNaN(range.durationSeconds())) {
            PlaylistText.appendFixed(out.append(",DURATION="), range.durationSeconds(), 3);
        }
        if (range.scte35Out() != null) {
            out.append(",SCTE35-OUT=").append(range.scte35OutHex());
        }
        out.append('\n');
    }

    /** The line that tells the server's time in a multivariant playlist, up to its value (see {@link #master(List, long)}). */
    private static final String SERVER_TIME_LINE = "#EXT-X-SESSION-DATA:DATA-ID=\"SERVER-TIME\",VALUE=\"";
    /** Where the server time's value starts in a playlist from {@link #master(List, long)}. */
    public static final int SERVER_TIME_AT = "#EXTM3U\n".length() + SERVER_TIME_LINE.length();
    /** Characters of the server time's value: epoch seconds in ten digits, a point, milliseconds. */
    public static final int SERVER_TIME_WIDTH = 14;

    /**
     * A multivariant playlist that tells the server's time when it was served: EXT-X-SESSION-DATA
     * {@code SERVER-TIME}, epoch seconds (the key Twitch-heritage players, the Amazon IVS player among
     * them, read to set their clock by the server's; its live latency is the server's time minus a
     * playing frame's arrival). Other players ignore session data they do not know. The value has a
     * fixed width ({@link #SERVER_TIME_WIDTH} characters at {@link #SERVER_TIME_AT}), so a playlist
     * encoded once can have the time written into each answer ({@link #serverTime}).
     */
    public static String master(List<Variant> variants, long serverTimeMillis) {
        String rest = master(variants);
        StringBuilder out = new StringBuilder(rest.length() + SERVER_TIME_AT + SERVER_TIME_WIDTH + 2);
        out.append("#EXTM3U\n").append(SERVER_TIME_LINE);
        out.append(new String(serverTime(serverTimeMillis), java.nio.charset.StandardCharsets.US_ASCII));
        return out.append("\"\n")
                .append(rest, "#EXTM3U\n".length(), rest.length())
                .toString();
    }

    /** {@code epochMillis} as the value of the server time line: {@link #SERVER_TIME_WIDTH} ASCII characters. */
    public static byte[] serverTime(long epochMillis) {
        long millis = Math.max(0, Math.min(epochMillis, 9_999_999_999_999L));
        byte[] out = new byte[SERVER_TIME_WIDTH];
        long seconds = millis / 1000;
        for (int i = 9; i >= 0; i--, seconds /= 10) {
            out[i] = (byte) ('0' + seconds % 10);
        }
        out[10] = '.';
        long fraction = millis % 1000;
        for (int i = 13; i >= 11; i--, fraction /= 10) {
            out[i] = (byte) ('0' + fraction % 10);
        }
        return out;
    }

    /** What a media playlist's server-time line holds before the time (see {@link #serverTimeLine}). */
    private static final String TIMESTAMP_ID = "#EXT-X-DATERANGE:ID=\"playlist-creation-";
    /** Characters of the server-time line, its newline included: the same for every time from 2001 to 2286. */
    public static final int SERVER_TIME_LINE_WIDTH = serverTimeLine(1_000_000_000_000L).length;

    /**
     * The server-time line of a live media playlist, the form Amazon IVS's own media playlists carry:
     * {@code #EXT-X-DATERANGE:ID="playlist-creation-<ms>",CLASS="timestamp",START-DATE="<date>",
     * END-ON-NEXT=YES,X-SERVER-TIME="<epoch s>"}. On Safari, where the IVS web player leaves playback
     * to AVPlayer, the player reads no playlist itself: WebKit hands it each date range's client
     * attributes as metadata cues (type {@code com.apple.quicktime.HLS}, key {@code X-SERVER-TIME}),
     * and it sets its clock by that value to report getLiveLatency() from the segments' stamps, as
     * it does with the multivariant playlist's SERVER-TIME in its own engine. The ID changes with the
     * time, so no two ranges with one ID differ (RFC 8216bis 4.4.5.1); END-ON-NEXT (with the CLASS it
     * needs) ends each at the next, so a range never outlives its playlist. Fixed width
     * ({@link #SERVER_TIME_LINE_WIDTH}), so a playlist encoded once can carry each answer's time
     * ({@link #serverTimeLineAt}).
     */
    public static byte[] serverTimeLine(long epochMillis) {
        long millis = Math.max(1_000_000_000_000L, Math.min(epochMillis, 9_999_999_999_999L));
        StringBuilder out = new StringBuilder(160).append(TIMESTAMP_ID).append(millis);
        out.append("\",CLASS=\"timestamp\",START-DATE=\"");
        PlaylistText.appendDateTime(out, millis).append("\",END-ON-NEXT=YES,X-SERVER-TIME=\"");
        out.append(new String(serverTime(millis), java.nio.charset.StandardCharsets.US_ASCII))
                .append("\"\n");
        return out.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * {@code media} (a media playlist from {@link #media}) with the server-time line for
     * {@code epochMillis} among its header tags, after the media sequence (and discontinuity
     * sequence) and before the first segment, where IVS writes it.
     */
    public static String withServerTimeLine(String media, long epochMillis) {
        return withHeaderLine(
                media, new String(serverTimeLine(epochMillis), java.nio.charset.StandardCharsets.US_ASCII));
    }

    /**
     * {@code media} (a live media playlist of {@code segments} that ends with LHLS prefetch segments)
     * with {@code EXT-X-START} at the end of its finished segments, that is at the first prefetch
     * segment. Amazon's IVS player otherwise starts at the newest finished segment, 2 to 4 s behind
     * the live edge, and only creeps forward by playing 3 % fast; told to start here it plays the
     * segment being written from its keyframe as it arrives, 1 to 2 s behind. hls.js also starts
     * nearer the edge on a playlist without parts, but waits behind the parts of an LL-HLS one, which
     * playback therefore gives the line only to the IVS player (Playlists.media; figures in
     * bench/latency/README.md). RFC 8216bis 4.4.2.2 says a live offset
     * SHOULD NOT be within three target durations of the end: a recommendation this departs from on
     * LOW channels, whose point is latency, and only while the next segment is being streamed.
     */
    public static String withStartAtEnd(String media, List<Segment> segments) {
        double listed = 0;
        for (Segment s : segments) {
            listed += s.durationSeconds();
        }
        StringBuilder line = new StringBuilder("#EXT-X-START:TIME-OFFSET=");
        PlaylistText.appendFixed(line, listed, 3).append('\n');
        return withHeaderLine(media, line.toString());
    }

    /** {@code media} with {@code line} among its header tags: after the media sequence (and discontinuity sequence). */
    private static String withHeaderLine(String media, String line) {
        int at = media.indexOf('\n', media.indexOf("#EXT-X-MEDIA-SEQUENCE:")) + 1;
        if (media.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE:", at)) {
            at = media.indexOf('\n', at) + 1;
        }
        return new StringBuilder(media.length() + line.length())
                .append(media, 0, at)
                .append(line)
                .append(media, at, media.length())
                .toString();
    }

    /** Where the server-time line starts in {@code media} (ASCII, so chars are bytes), or -1 if it has none. */
    public static int serverTimeLineAt(String media) {
        return media.indexOf(TIMESTAMP_ID);
    }

    /**
     * A multivariant (master) playlist. A variant with a name also gets an EXT-X-MEDIA video group
     * of that name, the shape IVS serves; one without video (IVS's audio_only) is not picked by default.
     */
    public static String master(List<Variant> variants) {
        StringBuilder out = new StringBuilder(256 * (variants.size() + 1));
        out.append("#EXTM3U\n");
        for (Variant v : variants) {
            if (v.name() != null) {
                out.append("#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID=\"")
                        .append(v.name())
                        .append("\",NAME=\"")
                        .append(v.name())
                        .append(v.width() > 0 ? "\",AUTOSELECT=YES,DEFAULT=YES\n" : "\",AUTOSELECT=NO,DEFAULT=NO\n");
            }
            out.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(v.bandwidth());
            if (v.averageBandwidth() > 0) {
                out.append(",AVERAGE-BANDWIDTH=").append(v.averageBandwidth());
            }
            if (v.width() > 0 && v.height() > 0) {
                out.append(",RESOLUTION=").append(v.width()).append('x').append(v.height());
            }
            out.append(",CODECS=\"").append(v.codecs()).append('"');
            if (v.name() != null) {
                out.append(",VIDEO=\"").append(v.name()).append('"');
            }
            if (v.frameRate() > 0) {
                PlaylistText.appendFixed(out.append(",FRAME-RATE="), v.frameRate(), 3);
            }
            out.append('\n').append(v.uri()).append('\n');
        }
        return out.toString();
    }
}
