package io.openivs.server.playback.access;

import java.util.ArrayList;
import java.util.List;

/**
 * Allowed-origin lists, from a token claim ({@code "https://a.com,https://*.b.com"}) or a policy's
 * {@code allowedOrigins}. A {@code *} stands for any run of characters (the documented use is a
 * wildcard host prefix); a lone {@code *} allows every origin.
 */
final class OriginPatterns {
    private OriginPatterns() {}

    /** The comma-separated claim as a list; blank entries dropped. */
    static List<String> split(String claim) {
        List<String> out = new ArrayList<>();
        for (String p : claim.split(",")) {
            String t = p.strip();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }

    /** True when the list lets every origin through (empty or holding "*"). */
    static boolean any(List<String> patterns) {
        return patterns.isEmpty() || patterns.contains("*");
    }

    static boolean matches(List<String> patterns, String origin) {
        for (String p : patterns) {
            if (matches(p, origin)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String origin) {
        int star = pattern.indexOf('*');
        if (star < 0) {
            return pattern.equalsIgnoreCase(origin);
        }
        String prefix = pattern.substring(0, star);
        String suffix = pattern.substring(star + 1);
        return origin.length() >= prefix.length() + suffix.length()
                && origin.regionMatches(true, 0, prefix, 0, prefix.length())
                && origin.regionMatches(true, origin.length() - suffix.length(), suffix, 0, suffix.length());
    }
}
