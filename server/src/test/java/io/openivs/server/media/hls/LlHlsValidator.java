package io.openivs.server.media.hls;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks LL-HLS media playlists against the rules of draft-pantos-hls-rfc8216bis this server
 * relies on, one playlist at a time and across reloads of the same stream: server control and
 * part target, part durations, parts summing to their segment, part numbering, the preload hint,
 * rendition report syntax, and nothing already announced changing later (durations, a segment's
 * program date-time, a date range's attributes). Parts are named {@code {msn}.{index}.m4s}.
 */
public final class LlHlsValidator {

    /** A part as a playlist lists it. */
    public record PartLine(long msn, int index, double duration, boolean independent, String uri) {}

    /** An EXT-X-RENDITION-REPORT; {@code lastPart} is -1 when absent. */
    public record Report(String uri, long lastMsn, int lastPart) {}

    /** What one playlist says, for the test to act on. */
    public record Playlist(
            long mediaSequence,
            long lastMsn,
            double partTarget,
            List<PartLine> trailingParts,
            String preloadHint,
            List<PartLine> allParts,
            List<Report> reports) {

        /** The part the preload hint names, as (msn, index). */
        public long[] hinted() {
            Matcher m = PART_URI.matcher(preloadHint);
            if (!m.find()) {
                throw new AssertionError("preload hint URI is not a part: " + preloadHint);
            }
            return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
        }
    }

    private static final Pattern PART_URI = Pattern.compile("(?:^|/)([0-9]+)\\.([0-9]+)\\.m4s");
    private static final Pattern SEGMENT_URI = Pattern.compile("(?:^|/)([0-9]+)\\.m4s");
    private static final double EPSILON = 0.0006;
    /** draft-pantos-hls-rfc8216bis 4.4.5.4: URI (quoted), LAST-MSN and LAST-PART (decimal integers), nothing else. */
    private static final Pattern REPORT_ATTRIBUTE =
            Pattern.compile("(URI)=\"([^\"\\r\\n]+)\"|(LAST-MSN|LAST-PART)=([0-9]{1,20})");

    private final Map<Long, Double> segmentDurations = new HashMap<>();
    private final Map<String, Double> partDurations = new HashMap<>();
    private final Map<Long, String> programDates = new HashMap<>();
    private final Map<String, String> dateRanges = new HashMap<>();
    private long lastMediaSequence = -1;

    /** Validates {@code text} and what it says against earlier playlists; throws AssertionError on a violation. */
    public Playlist check(String text) {
        List<String> lines = text.lines().toList();
        require(!lines.isEmpty() && lines.get(0).equals("#EXTM3U"), "starts with #EXTM3U", text);
        double partTarget = -1;
        double holdBack = -1;
        boolean canBlock = false;
        long mediaSequence = -1;
        double targetDuration = -1;
        List<PartLine> pending = new ArrayList<>();
        List<PartLine> all = new ArrayList<>();
        String hint = null;
        long msn = -1;
        List<Report> reports = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("#EXT-X-SERVER-CONTROL:")) {
                canBlock = attribute(line, "CAN-BLOCK-RELOAD").equals("YES");
                holdBack = Double.parseDouble(attribute(line, "PART-HOLD-BACK"));
            } else if (line.startsWith("#EXT-X-PART-INF:")) {
                partTarget = Double.parseDouble(attribute(line, "PART-TARGET"));
            } else if (line.startsWith("#EXT-X-TARGETDURATION:")) {
                targetDuration = Double.parseDouble(line.substring(line.indexOf(':') + 1));
            } else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
                mediaSequence = Long.parseLong(line.substring(line.indexOf(':') + 1));
                msn = mediaSequence;
            } else if (line.startsWith("#EXT-X-PART:")) {
                require(hint == null, "no EXT-X-PART after the preload hint", line);
                String uri = unquote(attribute(line, "URI"));
                Matcher m = PART_URI.matcher(uri);
                require(m.find(), "part URI names msn and index", uri);
                PartLine p = new PartLine(
                        Long.parseLong(m.group(1)),
                        Integer.parseInt(m.group(2)),
                        Double.parseDouble(attribute(line, "DURATION")),
                        line.contains("INDEPENDENT=YES"),
                        uri);
                require(p.msn() == msn, "part belongs to the segment it precedes (msn " + msn + ")", line);
                require(p.index() == pending.size(), "part indices count up from 0 within a segment", line);
                require(p.duration() <= partTarget + EPSILON, "part duration <= PART-TARGET " + partTarget, line);
                require(p.duration() > 0, "part has a duration", line);
                Double earlier = partDurations.putIfAbsent(p.msn() + "." + p.index(), p.duration());
                require(
                        earlier == null || Math.abs(earlier - p.duration()) < EPSILON,
                        "a part keeps its duration across reloads (was " + earlier + ")",
                        line);
                pending.add(p);
                all.add(p);
            } else if (line.startsWith("#EXTINF:")) {
                double extinf = Double.parseDouble(line.substring(8, line.indexOf(',')));
                require(extinf <= targetDuration + 0.5, "EXTINF rounds to at most the target duration", line);
                if (!pending.isEmpty()) {
                    double sum =
                            pending.stream().mapToDouble(PartLine::duration).sum();
                    require(
                            Math.abs(sum - extinf) <= 0.002 + pending.size() * 0.00001,
                            String.format(
                                    Locale.ROOT,
                                    "parts of segment %d sum to its EXTINF %.3f (sum %.5f)",
                                    msn,
                                    extinf,
                                    sum),
                            text);
                    require(pending.get(0).independent(), "a segment's first part starts with a keyframe", text);
                }
                Double earlier = segmentDurations.putIfAbsent(msn, extinf);
                require(
                        earlier == null || Math.abs(earlier - extinf) < 0.0005,
                        "segment " + msn + " keeps its EXTINF across reloads",
                        text);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                Matcher m = SEGMENT_URI.matcher(line);
                require(m.find() && Long.parseLong(m.group(1)) == msn, "segment URI names msn " + msn, line);
                pending.clear();
                msn++;
            } else if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
                String date = line.substring(line.indexOf(':') + 1);
                java.time.Instant.parse(date);
                String earlier = programDates.putIfAbsent(msn, date);
                require(
                        earlier == null || earlier.equals(date),
                        "segment " + msn + " keeps its PROGRAM-DATE-TIME across reloads (was " + earlier + ")",
                        line);
            } else if (line.startsWith("#EXT-X-DATERANGE:")) {
                String id = unquote(attribute(line, "ID"));
                java.time.Instant.parse(unquote(attribute(line, "START-DATE")));
                String earlier = dateRanges.putIfAbsent(id, line);
                require(
                        earlier == null || earlier.equals(line),
                        "a date range keeps its attributes across reloads (was " + earlier + ")",
                        line);
            } else if (line.startsWith("#EXT-X-RENDITION-REPORT:")) {
                reports.add(report(line, reports));
            } else if (line.startsWith("#EXT-X-PRELOAD-HINT:")) {
                require(attribute(line, "TYPE").equals("PART"), "preload hint of a part", line);
                hint = unquote(attribute(line, "URI"));
            }
        }
        require(canBlock, "EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES", text);
        require(partTarget > 0, "EXT-X-PART-INF:PART-TARGET", text);
        require(holdBack >= 3 * partTarget - 1e-9, "PART-HOLD-BACK >= 3 x PART-TARGET", text);
        require(mediaSequence >= lastMediaSequence, "media sequence never goes back", text);
        lastMediaSequence = mediaSequence;
        require(hint != null, "a preload hint while live", text);
        Playlist p =
                new Playlist(mediaSequence, msn - 1, partTarget, List.copyOf(pending), hint, all, List.copyOf(reports));
        long[] h = p.hinted();
        require(
                h[0] == msn && h[1] == pending.size(),
                "the preload hint names the next part (" + msn + "." + pending.size() + ")",
                text);
        return p;
    }

    /** Parses a rendition report strictly: known attributes once each, comma separated, URI and LAST-MSN present. */
    private static Report report(String line, List<Report> earlier) {
        String list = line.substring(line.indexOf(':') + 1);
        Map<String, String> values = new HashMap<>();
        int at = 0;
        while (at < list.length()) {
            Matcher m = REPORT_ATTRIBUTE.matcher(list);
            require(m.find(at) && m.start() == at, "rendition report attribute at column " + at, line);
            String name = m.group(1) != null ? m.group(1) : m.group(3);
            String value = m.group(1) != null ? m.group(2) : m.group(4);
            require(values.put(name, value) == null, "rendition report names " + name + " once", line);
            at = m.end();
            if (at < list.length()) {
                require(
                        list.charAt(at) == ',' && at + 1 < list.length(),
                        "rendition report attributes separated by a comma",
                        line);
                at++;
            }
        }
        require(values.containsKey("URI"), "rendition report has a URI", line);
        require(values.containsKey("LAST-MSN"), "rendition report has LAST-MSN", line);
        String uri = values.get("URI");
        require(!uri.contains("_HLS_"), "rendition report URI has no delivery directives", line);
        require(
                !uri.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") && !uri.startsWith("/"),
                "rendition report URI is relative to the playlist",
                line);
        require(earlier.stream().noneMatch(r -> r.uri().equals(uri)), "one rendition report per rendition", line);
        return new Report(
                uri,
                Long.parseLong(values.get("LAST-MSN")),
                values.containsKey("LAST-PART") ? Integer.parseInt(values.get("LAST-PART")) : -1);
    }

    private static String attribute(String line, String name) {
        Matcher m = Pattern.compile("[:,]" + name + "=(\"[^\"]*\"|[^,]*)").matcher(line);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in " + line);
        }
        return m.group(1);
    }

    private static String unquote(String s) {
        return s.startsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static void require(boolean ok, String rule, String context) {
        if (!ok) {
            throw new AssertionError("LL-HLS: " + rule + "\n" + context);
        }
    }
}
