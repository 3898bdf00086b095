package io.openivs.server.playback;

/**
 * An edge asks the owner for playlists as a public viewer would see them (bare URIs, shared by every
 * viewer of the edge) and writes each viewer's own query into them: what the owner would have written
 * for that viewer (the session ticket of a private channel). Playlist URIs (ending in {@code .m3u8}:
 * the multivariant playlist's variants, a media playlist's rendition reports) get the playlist query,
 * the rest (segments, parts, maps, hints, prefetch segments) the child query.
 */
final class EdgePlaylists {
    private static final String URI = "URI=\"";
    private static final String PREFETCH = "#EXT-X-PREFETCH:";

    private EdgePlaylists() {}

    static String withQueries(String text, String childQuery, String playlistQuery) {
        if (childQuery.isEmpty() && playlistQuery.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 64 * (childQuery.length() + 8));
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(from, end);
            if (line.isEmpty()) {
                // nothing to add
            } else if (line.charAt(0) != '#' || line.startsWith(PREFETCH)) {
                out.append(line).append(query(line, childQuery, playlistQuery));
                line = null;
            } else {
                int at = 0;
                int u;
                while ((u = line.indexOf(URI, at)) >= 0) {
                    int close = line.indexOf('"', u + URI.length());
                    if (close < 0) {
                        break;
                    }
                    String uri = line.substring(u + URI.length(), close);
                    out.append(line, at, close).append(query(uri, childQuery, playlistQuery));
                    at = close;
                }
                out.append(line, at, line.length());
                line = null;
            }
            if (line != null) {
                out.append(line);
            }
            if (nl >= 0) {
                out.append('\n');
            }
            from = end + 1;
        }
        return out.toString();
    }

    private static String query(String uri, String childQuery, String playlistQuery) {
        return uri.endsWith(".m3u8") ? playlistQuery : childQuery;
    }
}
