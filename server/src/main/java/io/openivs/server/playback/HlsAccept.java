package io.openivs.server.playback;

/**
 * Reads whether a playlist request's Accept header names the HLS media type {@code application/x-mpegURL}:
 * how an LL-HLS media playlist tells the two players it is tuned for apart, since its EXT-X-START line
 * helps one and holds back the other ({@link Playlists#startVaries}). Amazon's IVS web player sends
 * {@code Accept: application/x-mpegURL, application/vnd.apple.mpegurl, application/json, text/plain} on
 * every playlist request; hls.js loads playlists with a bare XMLHttpRequest, whose Accept is the
 * browser's default {@code *}{@code /*}. A wildcard does not name the type.
 *
 * <p>RFC 9110 12.5.1: media types and their parameters are case-insensitive, elements are separated by
 * commas with optional whitespace, and a {@code q} weight of 0 (12.4.2) means "not acceptable", so such an
 * element does not count. Scans the header in place: this runs on the event loop for every media playlist
 * request and allocates nothing.
 */
final class HlsAccept {
    private static final String HLS_TYPE = "application/x-mpegurl";

    private HlsAccept() {}

    /** Whether {@code accept} (an Accept header's value, or null when there is none) names the HLS type with q above 0. */
    static boolean namesHlsType(String accept) {
        if (accept == null) {
            return false;
        }
        int n = accept.length();
        int i = 0;
        while (i < n) {
            while (i < n && (whitespace(accept.charAt(i)) || accept.charAt(i) == ',')) {
                i++;
            }
            int start = i;
            while (i < n && !whitespace(accept.charAt(i)) && accept.charAt(i) != ',' && accept.charAt(i) != ';') {
                i++;
            }
            boolean named = i - start == HLS_TYPE.length() && accept.regionMatches(true, start, HLS_TYPE, 0, i - start);
            boolean refused = false;
            // The element's parameters, to its comma: a quoted value may hold a comma of its own.
            while (i < n && accept.charAt(i) != ',') {
                char c = accept.charAt(i);
                if (c == '"') {
                    i = afterQuoted(accept, i + 1);
                } else if (c == ';') {
                    i++;
                    while (i < n && whitespace(accept.charAt(i))) {
                        i++;
                    }
                    if (i + 1 < n && (accept.charAt(i) | 0x20) == 'q' && accept.charAt(i + 1) == '=') {
                        refused = zeroWeight(accept, i + 2);
                    }
                } else {
                    i++;
                }
            }
            if (named && !refused) {
                return true;
            }
        }
        return false;
    }

    /** Whether the weight from {@code at} is 0 ("0", "0.", "0.0" to "0.000"), up to whitespace, ';' or ','. */
    private static boolean zeroWeight(String s, int at) {
        if (at >= s.length() || s.charAt(at) != '0') {
            return false;
        }
        int i = at + 1;
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            while (i < s.length() && s.charAt(i) == '0') {
                i++;
            }
        }
        return i == s.length() || whitespace(s.charAt(i)) || s.charAt(i) == ';' || s.charAt(i) == ',';
    }

    /** The index past the quoted string whose opening quote precedes {@code i} (backslash escapes one character). */
    private static int afterQuoted(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return s.length();
    }

    private static boolean whitespace(char c) {
        return c == ' ' || c == '\t';
    }
}
