package io.openivs.server.net;

/**
 * Makes a peer-supplied string safe to put in a log line: control characters (CR and LF above all,
 * which would start a forged line), backslashes and non-BMP oddities such as lone surrogates are
 * written as escapes, and overlong values are cut. Whatever a peer sends, its value stays on one
 * line and reads unambiguously.
 */
public final class LogSafe {
    /** Characters kept of a value; the rest is summarised by its length. */
    static final int MAX_LENGTH = 256;

    private LogSafe() {}

    /** The escaped form of {@code value} ("null" for null). */
    public static String escape(CharSequence value) {
        if (value == null) {
            return "null";
        }
        int n = Math.min(value.length(), MAX_LENGTH);
        int i = 0;
        while (i < n && plain(value.charAt(i))) {
            i++;
        }
        if (i == value.length()) {
            return value.toString(); // the common case: nothing to escape, no copy
        }
        StringBuilder b = new StringBuilder(n + 16).append(value, 0, i);
        for (; i < n; i++) {
            char c = value.charAt(i);
            if (plain(c)) {
                b.append(c);
                continue;
            }
            switch (c) {
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                default -> b.append(String.format("\\u%04x", (int) c));
            }
        }
        if (value.length() > n) {
            b.append("...(").append(value.length()).append(" chars)");
        }
        return b.toString();
    }

    /** The escaped form of an arbitrary object's string, for peer values that are not strings yet. */
    public static String escape(Object value) {
        return value == null ? "null" : escape(value.toString());
    }

    private static boolean plain(char c) {
        // Printable ASCII and ordinary non-ASCII letters; C0/C1 controls, DEL, line/paragraph separators,
        // surrogates and the backslash (so that an escape cannot be faked) are escaped.
        return c >= 0x20
                && c != 0x7f
                && c != '\\'
                && !(c >= 0x80 && c < 0xa0)
                && c != '\u2028'
                && c != '\u2029'
                && !Character.isSurrogate(c);
    }
}
