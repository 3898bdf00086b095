package io.openivs.client.sigv4;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The {@code UriEncode()} of the SigV4 specification: RFC 3986 percent-encoding that leaves only the
 * unreserved characters {@code A-Z a-z 0-9 - _ . ~} as they are, encodes space as {@code %20} (never
 * {@code +}) and writes hex digits in upper case. The REST protocol uses the same function for path labels
 * and query strings, so the signed and the sent forms cannot drift apart.
 */
public final class UriEncode {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UriEncode() {}

    /** Encodes every character but the unreserved ones (a path label, a query name or value). */
    public static String component(String s) {
        return encode(s, false);
    }

    /** Like {@link #component} but keeps {@code /}: a whole path, or a greedy {@code {label+}}. */
    public static String path(String s) {
        return encode(s, true);
    }

    /** Decodes {@code %XX} escapes (UTF-8); {@code +} stays a plus, as in SigV4's view of a query string. */
    public static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int hi = c == '%' && i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
            if (lo >= 0) {
                out.write(hi << 4 | lo);
                i += 3;
            } else {
                // A literal run up to the next escape, as UTF-8 (keeps surrogate pairs together).
                int next = s.indexOf('%', i + 1);
                int stop = next < 0 ? s.length() : next;
                byte[] b = s.substring(i, stop).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i = stop;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String encode(String s, boolean keepSlash) {
        int i = 0;
        while (i < s.length() && (unreserved(s.charAt(i)) || keepSlash && s.charAt(i) == '/')) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        byte[] bytes = s.substring(i).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            char c = (char) (b & 0xff);
            if (unreserved(c) || keepSlash && c == '/') {
                sb.append(c);
            } else {
                sb.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
        }
        return sb.toString();
    }

    private static boolean unreserved(char c) {
        return (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '_'
                || c == '.'
                || c == '~';
    }
}
