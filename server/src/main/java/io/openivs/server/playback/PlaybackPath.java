package io.openivs.server.playback;

/**
 * A parsed playback URL path (the query already cut off), by hand: this runs for every viewer
 * request, and a scan of the characters costs far less than trying up to five regexes. The grammar
 * is exact; anything else (percent-encoding, doubled slashes, dot segments, other names) names
 * nothing and gets a 404:
 * <pre>
 * /api/video/v1/{name}.m3u8                     multivariant playlist
 * /api/video/v1/{name}/live.m3u8                media playlist
 * /api/video/v1/{name}/{sequence}.ts|.m4s       segment
 * /api/video/v1/{name}/init-{n}.mp4             fMP4 init segment
 * /api/video/v1/{name}/{sequence}.{part}.m4s    LL-HLS part
 * /api/video/v1/{name}/audio_only/...           the same media files of the audio_only rendition
 * /api/video/v1/{name}/{rung}/...               the same media files of a transcoded rendition, rung = [0-9]{2,4} "p" [0-9]{2,3}
 * name = [a-z0-9-]{1,32} "." [0-9]{12} ".channel." [A-Za-z0-9]{1,64};  sequence, n = [0-9]{1,18};  part = [0-9]{1,4}
 * </pre>
 *
 * @param name     "{region}.{account}.channel.{id}"
 * @param sequence the segment's, part's or init segment's number; -1 for playlists
 * @param part     the part index; -1 for anything but a part
 * @param fmp4     whether a segment was asked as .m4s (rather than .ts)
 * @param audioOnly whether it names a file of the audio_only rendition (under {@code {name}/audio_only/})
 * @param rendition the transcoded rendition it names a file of (under {@code {name}/{rendition}/}), or null
 */
record PlaybackPath(
        Kind kind, String name, long sequence, int part, boolean fmp4, boolean audioOnly, String rendition) {
    enum Kind {
        MASTER,
        MEDIA,
        SEGMENT,
        INIT,
        PART
    }

    /** A path of the main rendition. */
    PlaybackPath(Kind kind, String name, long sequence, int part, boolean fmp4) {
        this(kind, name, sequence, part, fmp4, false, null);
    }

    /** A path of the main or the audio_only rendition. */
    PlaybackPath(Kind kind, String name, long sequence, int part, boolean fmp4, boolean audioOnly) {
        this(kind, name, sequence, part, fmp4, audioOnly, null);
    }

    static final String PREFIX = "/api/video/v1/";
    private static final String CHANNEL = ".channel.";
    private static final String PLAYLIST = ".m3u8";
    private static final String MEDIA = "/live.m3u8";
    private static final String INIT = "init-";
    private static final String AUDIO_ONLY = "/" + Playlists.AUDIO_ONLY;
    private static final int MAX_REGION = 32;
    private static final int ACCOUNT = 12;
    private static final int MAX_ID = 64;
    private static final int MAX_NUMBER = 18;
    private static final int MAX_PART = 4;

    /** The URL's meaning, or null when it names nothing playback serves. */
    static PlaybackPath parse(String path) {
        if (!path.startsWith(PREFIX)) {
            return null;
        }
        int i = PREFIX.length();
        int end = path.length();
        int regionEnd = span(path, i, end, MAX_REGION, REGION);
        if (regionEnd < 0 || regionEnd >= end || path.charAt(regionEnd) != '.') {
            return null;
        }
        int accountStart = regionEnd + 1;
        int accountEnd = span(path, accountStart, end, ACCOUNT, DIGIT);
        if (accountEnd - accountStart != ACCOUNT || !path.startsWith(CHANNEL, accountEnd)) {
            return null;
        }
        int idStart = accountEnd + CHANNEL.length();
        int idEnd = span(path, idStart, end, MAX_ID, ID);
        if (idEnd < 0 || idEnd == end) {
            return null;
        }
        if (idEnd + PLAYLIST.length() == end && path.startsWith(PLAYLIST, idEnd)) {
            return new PlaybackPath(Kind.MASTER, path.substring(i, idEnd), -1, -1, false);
        }
        // The audio_only rendition's directory: what follows names its files as the main one's.
        boolean audio = path.startsWith(AUDIO_ONLY, idEnd)
                && idEnd + AUDIO_ONLY.length() < end
                && path.charAt(idEnd + AUDIO_ONLY.length()) == '/';
        int rungEnd = audio ? -1 : rung(path, idEnd + 1, end);
        String rung = rungEnd < 0 ? null : path.substring(idEnd + 1, rungEnd);
        int dirEnd = audio ? idEnd + AUDIO_ONLY.length() : rungEnd > 0 ? rungEnd : idEnd;
        if (dirEnd + MEDIA.length() == end && path.startsWith(MEDIA, dirEnd)) {
            return new PlaybackPath(Kind.MEDIA, path.substring(i, idEnd), -1, -1, false, audio, rung);
        }
        if (path.charAt(dirEnd) != '/') {
            return null;
        }
        int file = dirEnd + 1;
        if (path.startsWith(INIT, file)) {
            int n = file + INIT.length();
            int nEnd = span(path, n, end, MAX_NUMBER, DIGIT);
            if (nEnd > 0 && nEnd + 4 == end && path.startsWith(".mp4", nEnd)) {
                return new PlaybackPath(
                        Kind.INIT, path.substring(i, idEnd), Long.parseLong(path, n, nEnd, 10), -1, true, audio, rung);
            }
            return null;
        }
        int seqEnd = span(path, file, end, MAX_NUMBER, DIGIT);
        if (seqEnd < 0 || seqEnd == end || path.charAt(seqEnd) != '.') {
            return null;
        }
        long sequence = Long.parseLong(path, file, seqEnd, 10);
        int ext = seqEnd + 1;
        if (end - ext == 2 && path.startsWith("ts", ext)) {
            return new PlaybackPath(Kind.SEGMENT, path.substring(i, idEnd), sequence, -1, false, audio, rung);
        }
        if (end - ext == 3 && path.startsWith("m4s", ext)) {
            return new PlaybackPath(Kind.SEGMENT, path.substring(i, idEnd), sequence, -1, true, audio, rung);
        }
        int partEnd = span(path, ext, end, MAX_PART, DIGIT);
        if (partEnd > 0 && partEnd + 4 == end && path.startsWith(".m4s", partEnd)) {
            return new PlaybackPath(
                    Kind.PART,
                    path.substring(i, idEnd),
                    sequence,
                    Integer.parseInt(path, ext, partEnd, 10),
                    true,
                    audio,
                    rung);
        }
        return null;
    }

    /**
     * The end of a transcoded rendition's directory name ({@code 480p30}) starting at {@code from} and
     * followed by '/', or -1 when there is none there.
     */
    private static int rung(String s, int from, int end) {
        int heightEnd = span(s, from, end, 4, DIGIT);
        if (heightEnd < 0 || heightEnd - from < 2 || heightEnd >= end || s.charAt(heightEnd) != 'p') {
            return -1;
        }
        int rateEnd = span(s, heightEnd + 1, end, 3, DIGIT);
        if (rateEnd < 0 || rateEnd - heightEnd - 1 < 2 || rateEnd >= end || s.charAt(rateEnd) != '/') {
            return -1;
        }
        return rateEnd;
    }

    /**
     * The end of the run of characters of {@code kind} that starts at {@code from}, or -1 when the
     * run is empty or longer than {@code max}.
     */
    private static int span(String s, int from, int end, int max, int kind) {
        int limit = Math.min(end, from + max);
        int i = from;
        while (i < limit && is(s.charAt(i), kind)) {
            i++;
        }
        return i == from || i < end && is(s.charAt(i), kind) ? -1 : i;
    }

    private static boolean is(char c, int kind) {
        return c < CLASSES.length && (CLASSES[c] & kind) != 0;
    }

    private static final int DIGIT = 1;
    private static final int REGION = 2;
    private static final int ID = 4;
    /** Per ASCII character, which of DIGIT, REGION (a region name) and ID (a channel id) it may be part of. */
    private static final byte[] CLASSES = new byte[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            CLASSES[c] = DIGIT | REGION | ID;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            CLASSES[c] = REGION | ID;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            CLASSES[c] = ID;
        }
        CLASSES['-'] = REGION;
    }
}
