package io.openivs.server.auth;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The parts of a SigV4 canonical request, rebuilt from a request as received, following AWS's rules for
 * services other than S3 (paths are normalised and encoded a second time).
 */
final class CanonicalRequest {
    static final String SIGNATURE_PARAMETER = "X-Amz-Signature";

    private CanonicalRequest() {}

    /** Appends the canonical URI of the received path {@code rawUri[from, to)}: dot segments removed, encoded once more. */
    static void appendUri(StringBuilder out, String rawUri, int from, int to) {
        if (from == to) {
            out.append('/');
        } else if (needsNormalization(rawUri, from, to)) {
            String path = removeDotSegments(rawUri.substring(from, to));
            UriEncoding.appendEncodedPath(out, path, 0, path.length());
        } else {
            UriEncoding.appendEncodedPath(out, rawUri, from, to);
        }
    }

    /**
     * Appends the canonical query string of {@code rawUri[from, to)}: each key and value in canonical encoding,
     * sorted by key then value, a key without value written as {@code key=}.
     *
     * @param presigned drop the {@code X-Amz-Signature} parameter, which a presigned URL adds after signing
     */
    static void appendQuery(StringBuilder out, String rawUri, int from, int to, boolean presigned) {
        if (from >= to) {
            return;
        }
        String[] entries = new String[count(rawUri, from, to, '&') + 1];
        int n = 0;
        StringBuilder entry = new StringBuilder(64);
        for (int start = from; start < to; ) {
            int end = indexOf(rawUri, '&', start, to);
            if (end > start) {
                int eq = indexOf(rawUri, '=', start, end);
                entry.setLength(0);
                UriEncoding.appendCanonicalComponent(entry, rawUri, start, eq);
                if (!(presigned && SIGNATURE_PARAMETER.contentEquals(entry))) {
                    // NUL sorts below every canonical character, so "key\0value" orders by key, then value.
                    entry.append('\0');
                    if (eq < end) {
                        UriEncoding.appendCanonicalComponent(entry, rawUri, eq + 1, end);
                    }
                    entries[n++] = entry.toString();
                }
            }
            start = end + 1;
        }
        Arrays.sort(entries, 0, n);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append('&');
            }
            String e = entries[i];
            int nul = e.indexOf('\0');
            out.append(e, 0, nul).append('=').append(e, nul + 1, e.length());
        }
    }

    /**
     * Appends {@code name:value\n} for each of the {@code ;}-separated signed header names, in their order.
     * Repeated headers are joined with commas; values are trimmed and inner whitespace runs folded to one space.
     */
    static void appendHeaders(StringBuilder out, HttpHeaders headers, String signedHeaders) {
        int n = signedHeaders.length();
        for (int start = 0; start < n; ) {
            int end = indexOf(signedHeaders, ';', start, n);
            String name = signedHeaders.substring(start, end);
            out.append(name).append(':');
            // getAll keeps the received order; Netty's value iterators run newest first.
            List<String> values = headers.getAll(name);
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                appendFolded(out, values.get(i));
            }
            out.append('\n');
            start = end + 1;
        }
    }

    private static void appendFolded(StringBuilder out, CharSequence value) {
        int from = 0;
        int to = value.length();
        while (from < to && isWhitespace(value.charAt(from))) {
            from++;
        }
        while (to > from && isWhitespace(value.charAt(to - 1))) {
            to--;
        }
        boolean space = false;
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (isWhitespace(c)) {
                space = true;
            } else {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
            }
        }
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    /** True if the path has an empty, "." or ".." segment, which clients remove before signing. */
    private static boolean needsNormalization(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '/' || i + 1 >= to) {
                continue;
            }
            char next = s.charAt(i + 1);
            if (next == '/') {
                return true;
            }
            if (next == '.') {
                int after = i + 2 < to && s.charAt(i + 2) == '.' ? i + 3 : i + 2;
                if (after >= to || s.charAt(after) == '/') {
                    return true;
                }
            }
        }
        return false;
    }

    /** RFC 3986 dot-segment removal, also dropping empty segments; a trailing slash stays. */
    static String removeDotSegments(String path) {
        Deque<String> kept = new ArrayDeque<>();
        boolean endsAsDirectory = false;
        int n = path.length();
        for (int start = 0; start <= n; ) {
            int end = indexOf(path, '/', start, n);
            String segment = path.substring(start, end);
            if (segment.isEmpty() || segment.equals(".")) {
                endsAsDirectory = true;
            } else if (segment.equals("..")) {
                kept.pollLast();
                endsAsDirectory = true;
            } else {
                kept.addLast(segment);
                endsAsDirectory = false;
            }
            start = end + 1;
        }
        if (kept.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder(n);
        for (String segment : kept) {
            out.append('/').append(segment);
        }
        return endsAsDirectory ? out.append('/').toString() : out.toString();
    }

    private static int indexOf(String s, char c, int from, int to) {
        int i = s.indexOf(c, from);
        return i < 0 || i > to ? to : i;
    }

    private static int count(String s, int from, int to, char c) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }
}
