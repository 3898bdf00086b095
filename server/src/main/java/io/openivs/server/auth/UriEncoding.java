package io.openivs.server.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * AWS's URI encoding for canonical requests: everything except the unreserved characters
 * {@code A-Z a-z 0-9 - _ . ~} becomes {@code %XY} with upper-case hex.
 *
 * <p>Input strings come from Netty, which maps each byte of the request line and headers to one char
 * (ISO-8859-1), so a char up to 0xFF stands for one wire byte. Chars above 0xFF can only come from callers
 * that built a Java string themselves; they are taken as UTF-8, which is what a client would have sent.
 */
final class UriEncoding {
    private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

    private UriEncoding() {}

    static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '_'
                || c == '.'
                || c == '~';
    }

    /** Encodes {@code s[from, to)} once more, keeping {@code /}: how AWS turns the received path into the canonical URI. */
    static void appendEncodedPath(StringBuilder out, CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '/' || isUnreserved(c)) {
                out.append(c);
            } else {
                i = appendEncodedChar(out, s, i, to);
            }
        }
    }

    /**
     * Appends the canonical form of one query key or value as received: valid escapes are decoded and re-encoded
     * (so {@code %7e} becomes {@code ~} and {@code %3a} becomes {@code %3A}), everything else is encoded.
     * A {@code +} is a literal plus, as the AWS SDKs encode a space as {@code %20}.
     */
    static void appendCanonicalComponent(StringBuilder out, CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            int escaped = c == '%' ? escapedByte(s, i, to) : -1;
            if (escaped >= 0) {
                if (isUnreserved(escaped)) {
                    out.append((char) escaped);
                } else {
                    appendEscape(out, escaped);
                }
                i += 2;
            } else if (isUnreserved(c)) {
                out.append(c);
            } else {
                i = appendEncodedChar(out, s, i, to);
            }
        }
    }

    /** Percent-decodes {@code s[from, to)} as UTF-8; invalid escapes stay literal. Used for presigned-URL parameters. */
    static String decode(CharSequence s, int from, int to) {
        boolean plain = true;
        for (int i = from; i < to && plain; i++) {
            plain = s.charAt(i) != '%' && s.charAt(i) < 0x80;
        }
        if (plain) {
            return s.subSequence(from, to).toString();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            int escaped = c == '%' ? escapedByte(s, i, to) : -1;
            if (escaped >= 0) {
                bytes.write(escaped);
                i += 2;
            } else if (c <= 0xFF) {
                bytes.write(c);
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** @return the byte of a valid {@code %XY} escape at {@code i}, or -1 */
    private static int escapedByte(CharSequence s, int i, int to) {
        if (i + 2 >= to) {
            return -1;
        }
        int hi = hexValue(s.charAt(i + 1));
        int lo = hexValue(s.charAt(i + 2));
        return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
    }

    /** ASCII hex only: {@link Character#digit} would also accept other scripts' digits. */
    static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Encodes the char at {@code i} (a surrogate pair as one code point); returns the index of its last char. */
    private static int appendEncodedChar(StringBuilder out, CharSequence s, int i, int to) {
        char c = s.charAt(i);
        if (c <= 0xFF) {
            appendEscape(out, c);
            return i;
        }
        int end =
                Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1)) ? i + 2 : i + 1;
        for (byte b : s.subSequence(i, end).toString().getBytes(StandardCharsets.UTF_8)) {
            appendEscape(out, b & 0xFF);
        }
        return end - 1;
    }

    private static void appendEscape(StringBuilder out, int b) {
        out.append('%').append(HEX_UPPER[b >>> 4]).append(HEX_UPPER[b & 0xF]);
    }
}
