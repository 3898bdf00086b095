package io.openivs.server.playback;

/**
 * The {@code token} (and {@code ticket}) query parameter of a playback URL. Players add their own parameters
 * ({@code player_version}, ...), so it is found among others; tokens are base64url text, so no
 * percent-decoding is needed (a token that needs it fails parsing, as it should).
 */
final class QueryToken {
    private QueryToken() {}

    /** The token value, or null; {@code q} is the index of '?' in {@code uri} (or -1). */
    static String find(String uri, int q) {
        return find(uri, q, "token=");
    }

    /** The value of parameter {@code nameEq} ("ticket="), or null. */
    static String find(String uri, int q, String nameEq) {
        if (q < 0) {
            return null;
        }
        int i = q + 1;
        while (i < uri.length()) {
            int end = uri.indexOf('&', i);
            if (end < 0) {
                end = uri.length();
            }
            if (uri.startsWith(nameEq, i)) {
                return uri.substring(i + nameEq.length(), end);
            }
            i = end + 1;
        }
        return null;
    }

    /** The query string ("?a=b&token=...") without its token or ticket, for echoing back in an error body. */
    static String without(String query) {
        if (query.isEmpty()) {
            return query;
        }
        StringBuilder out = new StringBuilder();
        for (String p : query.substring(1).split("&")) {
            if (!p.startsWith("token=") && !p.startsWith("ticket=") && !p.isEmpty()) {
                out.append(out.length() == 0 ? '?' : '&').append(p);
            }
        }
        return out.toString();
    }
}
