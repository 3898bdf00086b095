package io.openivs.client.sigv4;

import io.openivs.client.credentials.AwsCredentials;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for header-signed requests, as the AWS SDK for Java v2 computes it for services
 * other than S3: the path is normalized and URI-encoded a second time, the payload hash travels (and is
 * signed) as {@code x-amz-content-sha256}, and the headers a proxy may rewrite are left unsigned.
 *
 * <p>Immutable and thread-safe; one instance per service and region.
 */
public final class SigV4Signer {

    public static final String ALGORITHM = "AWS4-HMAC-SHA256";

    static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** Hop-by-hop or client-chosen headers that proxies and HTTP stacks change; the AWS SDK does not sign them. */
    private static final Set<String> UNSIGNED =
            Set.of("authorization", "connection", "expect", "user-agent", "x-amzn-trace-id", "transfer-encoding");

    private final String service;
    private final String region;

    public SigV4Signer(String service, String region) {
        this.service = requireText(service, "service");
        this.region = requireText(region, "region");
    }

    /**
     * Signs a request.
     *
     * @param method   the HTTP method
     * @param uri      the absolute request URI as it is sent (raw, i.e. already percent-encoded, path and query)
     * @param headers  the headers that will be sent (any case; {@code Host} may be left out, it is taken from
     *                 the URI), not yet including the ones returned here
     * @param payload  the body, or null for none
     * @param time     the signing time (becomes X-Amz-Date)
     * @return the headers to add, in this order: {@code X-Amz-Date}, {@code X-Amz-Content-Sha256},
     *         {@code X-Amz-Security-Token} (session credentials only), {@code Authorization}
     */
    public Map<String, String> sign(
            String method,
            URI uri,
            Map<String, List<String>> headers,
            byte[] payload,
            AwsCredentials credentials,
            Instant time) {
        String amzDate = AMZ_DATE.format(time);
        String date = amzDate.substring(0, 8);

        String payloadHash = hex(sha256(payload == null ? new byte[0] : payload));
        TreeMap<String, String> canonicalHeaders = canonicalHeaders(uri, headers);
        canonicalHeaders.put("x-amz-date", amzDate);
        canonicalHeaders.put("x-amz-content-sha256", payloadHash);
        if (credentials.sessionToken() != null) {
            canonicalHeaders.put("x-amz-security-token", credentials.sessionToken());
        }
        String signedHeaders = String.join(";", canonicalHeaders.keySet());

        String canonicalRequest = canonicalRequest(method, uri, canonicalHeaders, signedHeaders, payloadHash);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));

        byte[] key = hmac(("AWS4" + credentials.secretAccessKey()).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        String signature = hex(hmac(key, stringToSign));

        Map<String, String> out = new LinkedHashMap<>(4);
        out.put("X-Amz-Date", amzDate);
        out.put("X-Amz-Content-Sha256", payloadHash);
        if (credentials.sessionToken() != null) {
            out.put("X-Amz-Security-Token", credentials.sessionToken());
        }
        out.put(
                "Authorization",
                ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope + ", SignedHeaders="
                        + signedHeaders + ", Signature=" + signature);
        return out;
    }

    static String canonicalRequest(
            String method,
            URI uri,
            TreeMap<String, String> canonicalHeaders,
            String signedHeaders,
            String payloadHash) {
        StringBuilder sb = new StringBuilder(256)
                .append(method.toUpperCase(Locale.ROOT))
                .append('\n')
                .append(canonicalPath(uri.getRawPath()))
                .append('\n')
                .append(canonicalQuery(uri.getRawQuery()))
                .append('\n');
        canonicalHeaders.forEach((k, v) -> sb.append(k).append(':').append(v).append('\n'));
        return sb.append('\n')
                .append(signedHeaders)
                .append('\n')
                .append(payloadHash)
                .toString();
    }

    /** Dot segments removed, then every character of the (already encoded) path encoded again but '/'. */
    static String canonicalPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        return UriEncode.path(removeDotSegments(rawPath));
    }

    /** RFC 3986 section 5.2.4, on '/'-separated segments; keeps a trailing slash and empty segments. */
    static String removeDotSegments(String path) {
        if (!path.contains(".")) {
            return path;
        }
        String[] segments = path.split("/", -1);
        List<String> out = new ArrayList<>(segments.length);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if (s.equals(".") || s.equals("..")) {
                if (s.equals("..") && out.size() > 1) {
                    out.remove(out.size() - 1);
                }
                if (last) {
                    out.add("");
                }
            } else {
                out.add(s);
            }
        }
        String joined = String.join("/", out);
        return joined.startsWith("/") ? joined : "/" + joined;
    }

    /** Parameters decoded, re-encoded with UriEncode, sorted by name then value; a bare name gets "=". */
    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        TreeMap<String, List<String>> params = new TreeMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = UriEncode.component(UriEncode.decode(eq < 0 ? pair : pair.substring(0, eq)));
            String value = eq < 0 ? "" : UriEncode.component(UriEncode.decode(pair.substring(eq + 1)));
            params.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
        }
        StringBuilder sb = new StringBuilder(rawQuery.length() + 16);
        params.forEach((name, values) -> {
            values.sort(null);
            for (String v : values) {
                if (sb.length() > 0) {
                    sb.append('&');
                }
                sb.append(name).append('=').append(v);
            }
        });
        return sb.toString();
    }

    /** Lower-case names in order; values trimmed, inner runs of spaces collapsed, repeats joined by ','. */
    static TreeMap<String, String> canonicalHeaders(URI uri, Map<String, List<String>> headers) {
        TreeMap<String, String> out = new TreeMap<>();
        headers.forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (UNSIGNED.contains(key)) {
                return;
            }
            StringBuilder sb = new StringBuilder();
            String previous = out.get(key);
            if (previous != null) {
                sb.append(previous);
            }
            for (String v : values) {
                if (sb.length() > 0 || previous != null) {
                    sb.append(',');
                }
                sb.append(trimAll(v));
            }
            out.put(key, sb.toString());
        });
        out.putIfAbsent("host", host(uri));
        return out;
    }

    /** The Host header an HTTP client sends for this URI: the port only when it is not the scheme's default. */
    public static String host(URI uri) {
        int port = uri.getPort();
        boolean defaultPort = port == -1
                || ("https".equalsIgnoreCase(uri.getScheme()) && port == 443)
                || ("http".equalsIgnoreCase(uri.getScheme()) && port == 80);
        return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
    }

    private static String trimAll(String v) {
        String t = v.trim();
        if (!t.contains("  ")) {
            return t;
        }
        StringBuilder sb = new StringBuilder(t.length());
        char prev = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(c == ' ' && prev == ' ')) {
                sb.append(c);
            }
            prev = c;
        }
        return sb.toString();
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JRE", e);
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[bytes[i] & 0xf];
        }
        return new String(out);
    }

    private static String requireText(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return s;
    }
}
