package io.openivs.server.auth;

import static io.openivs.server.auth.AuthException.INCOMPLETE_SIGNATURE;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * The SigV4 values of one request, read either from its {@code Authorization} header or from a presigned URL's
 * query. Parsing only checks the syntax; whether the scope, time and signature are acceptable is the verifier's call.
 * Messages never echo the header or credential: a confused client may have put its secret there.
 */
final class AuthParameters {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** X-Amz-Expires when a presigned URL has none: the same window as for the header form. */
    static final long DEFAULT_EXPIRES_SECONDS = 900;

    static final long MAX_EXPIRES_SECONDS = 604_800;

    private static final AsciiString X_AMZ_DATE = AsciiString.cached("x-amz-date");
    private static final String BAD_DATE_FORMAT =
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".";

    final String accessKeyId;
    /** {@code date/region/service/terminator}, exactly as the client wrote it into the string to sign. */
    final String scope;

    final String scopeDate;
    final String scopeRegion;
    final String scopeService;
    final String scopeTerminator;
    final String signedHeaders;
    final String signature;
    /** Request time in the ISO 8601 basic form used in the string to sign. */
    final String amzDate;

    final long requestTime;
    /** Seconds a presigned URL stays valid after {@link #requestTime}; -1 for the header form. */
    final long expiresSeconds;

    private AuthParameters(
            String credential,
            String signedHeaders,
            String signature,
            String amzDate,
            long requestTime,
            long expiresSeconds)
            throws AuthException {
        int a = credential.indexOf('/');
        int b = a < 0 ? -1 : credential.indexOf('/', a + 1);
        int c = b < 0 ? -1 : credential.indexOf('/', b + 1);
        int d = c < 0 ? -1 : credential.indexOf('/', c + 1);
        if (a <= 0
                || b <= a + 1
                || c <= b + 1
                || d <= c + 1
                || d + 1 >= credential.length()
                || credential.indexOf('/', d + 1) >= 0) {
            throw new AuthException(
                    INCOMPLETE_SIGNATURE,
                    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.");
        }
        this.accessKeyId = credential.substring(0, a);
        this.scope = credential.substring(a + 1);
        this.scopeDate = credential.substring(a + 1, b);
        this.scopeRegion = credential.substring(b + 1, c);
        this.scopeService = credential.substring(c + 1, d);
        this.scopeTerminator = credential.substring(d + 1);
        this.signedHeaders = signedHeaders;
        this.signature = signature;
        this.amzDate = amzDate;
        this.requestTime = requestTime;
        this.expiresSeconds = expiresSeconds;
    }

    boolean presigned() {
        return expiresSeconds >= 0;
    }

    /**
     * Reads {@code AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...} and the request time from
     * {@code X-Amz-Date}, or {@code Date} when that is absent.
     */
    static AuthParameters fromHeader(String authorization, HttpHeaders headers) throws AuthException {
        int n = authorization.length();
        if (!authorization.startsWith(ALGORITHM)
                || (n > ALGORITHM.length() && authorization.charAt(ALGORITHM.length()) != ' ')) {
            throw new AuthException(
                    INCOMPLETE_SIGNATURE,
                    "Authorization header requires the 'AWS4-HMAC-SHA256' algorithm followed by its parameters.");
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (int start = ALGORITHM.length() + 1; start < n; ) {
            int end = authorization.indexOf(',', start);
            if (end < 0) {
                end = n;
            }
            int keyStart = skipSpaces(authorization, start, end);
            int eq = authorization.indexOf('=', keyStart);
            if (eq >= 0 && eq < end) {
                int keyEnd = trimEnd(authorization, keyStart, eq);
                String value = authorization.substring(
                        skipSpaces(authorization, eq + 1, end), trimEnd(authorization, eq + 1, end));
                if (isKey(authorization, keyStart, keyEnd, "Credential")) {
                    credential = value;
                } else if (isKey(authorization, keyStart, keyEnd, "SignedHeaders")) {
                    signedHeaders = value;
                } else if (isKey(authorization, keyStart, keyEnd, "Signature")) {
                    signature = value;
                }
            }
            start = end + 1;
        }

        String amzDate = headers.get(X_AMZ_DATE);
        long requestTime;
        if (amzDate != null) {
            requestTime = AmzDate.parseBasic(amzDate);
        } else {
            requestTime = AmzDate.parseHttpDate(headers.get(HttpHeaderNames.DATE));
            amzDate = requestTime == AmzDate.INVALID ? null : AmzDate.formatBasic(requestTime);
        }

        if (isEmpty(credential) || isEmpty(signature) || isEmpty(signedHeaders) || amzDate == null) {
            StringBuilder message = new StringBuilder();
            appendIf(message, isEmpty(credential), "Authorization header requires 'Credential' parameter.");
            appendIf(message, isEmpty(signature), "Authorization header requires 'Signature' parameter.");
            appendIf(message, isEmpty(signedHeaders), "Authorization header requires 'SignedHeaders' parameter.");
            appendIf(
                    message,
                    amzDate == null,
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
            throw new AuthException(INCOMPLETE_SIGNATURE, message.toString());
        }
        if (requestTime == AmzDate.INVALID) {
            throw new AuthException(INCOMPLETE_SIGNATURE, BAD_DATE_FORMAT);
        }
        return new AuthParameters(credential, signedHeaders, signature, amzDate, requestTime, -1);
    }

    /**
     * Reads the presigned-URL parameters from {@code rawUri[from, to)}.
     *
     * @return null when the query carries no SigV4 parameters at all
     */
    static AuthParameters fromQuery(String rawUri, int from, int to) throws AuthException {
        if (rawUri.indexOf("X-Amz-", from) < 0) {
            return null;
        }
        String algorithm = null;
        String credential = null;
        String amzDate = null;
        String expires = null;
        String signedHeaders = null;
        String signature = null;
        for (int start = from; start < to; ) {
            int end = rawUri.indexOf('&', start);
            if (end < 0 || end > to) {
                end = to;
            }
            int eq = rawUri.indexOf('=', start);
            if (eq >= 0 && eq < end) {
                if (isKey(rawUri, start, eq, "X-Amz-Algorithm")) {
                    algorithm = UriEncoding.decode(rawUri, eq + 1, end);
                } else if (isKey(rawUri, start, eq, "X-Amz-Credential")) {
                    credential = UriEncoding.decode(rawUri, eq + 1, end);
                } else if (isKey(rawUri, start, eq, "X-Amz-Date")) {
                    amzDate = UriEncoding.decode(rawUri, eq + 1, end);
                } else if (isKey(rawUri, start, eq, "X-Amz-Expires")) {
                    expires = UriEncoding.decode(rawUri, eq + 1, end);
                } else if (isKey(rawUri, start, eq, "X-Amz-SignedHeaders")) {
                    signedHeaders = UriEncoding.decode(rawUri, eq + 1, end);
                } else if (isKey(rawUri, start, eq, CanonicalRequest.SIGNATURE_PARAMETER)) {
                    signature = UriEncoding.decode(rawUri, eq + 1, end);
                }
            }
            start = end + 1;
        }
        if (algorithm == null && credential == null && signature == null) {
            return null;
        }
        if (isEmpty(algorithm)
                || isEmpty(credential)
                || isEmpty(signature)
                || isEmpty(amzDate)
                || isEmpty(signedHeaders)) {
            StringBuilder missing = new StringBuilder();
            appendMissing(missing, isEmpty(algorithm), "X-Amz-Algorithm");
            appendMissing(missing, isEmpty(credential), "X-Amz-Credential");
            appendMissing(missing, isEmpty(signature), "X-Amz-Signature");
            appendMissing(missing, isEmpty(amzDate), "X-Amz-Date");
            appendMissing(missing, isEmpty(signedHeaders), "X-Amz-SignedHeaders");
            throw new AuthException(
                    INCOMPLETE_SIGNATURE,
                    "AWS query-string parameters must include " + missing
                            + ". Re-examine the query-string parameters.");
        }
        if (!ALGORITHM.equals(algorithm)) {
            throw new AuthException(INCOMPLETE_SIGNATURE, "X-Amz-Algorithm only supports 'AWS4-HMAC-SHA256'.");
        }
        long requestTime = AmzDate.parseBasic(amzDate);
        if (requestTime == AmzDate.INVALID) {
            throw new AuthException(INCOMPLETE_SIGNATURE, BAD_DATE_FORMAT);
        }
        return new AuthParameters(credential, signedHeaders, signature, amzDate, requestTime, parseExpires(expires));
    }

    private static long parseExpires(String expires) throws AuthException {
        if (expires == null) {
            return DEFAULT_EXPIRES_SECONDS;
        }
        long seconds = 0;
        boolean valid = !expires.isEmpty() && expires.length() <= 7;
        for (int i = 0; i < expires.length() && valid; i++) {
            char c = expires.charAt(i);
            valid = c >= '0' && c <= '9';
            seconds = seconds * 10 + (c - '0');
        }
        if (!valid || seconds < 1 || seconds > MAX_EXPIRES_SECONDS) {
            throw new AuthException(
                    INCOMPLETE_SIGNATURE,
                    "X-Amz-Expires must be a whole number of seconds from 1 to 604800 (one week).");
        }
        return seconds;
    }

    private static boolean isKey(String s, int from, int to, String key) {
        return to - from == key.length() && s.startsWith(key, from);
    }

    private static int skipSpaces(String s, int from, int to) {
        while (from < to && s.charAt(from) == ' ') {
            from++;
        }
        return from;
    }

    private static int trimEnd(String s, int from, int to) {
        while (to > from && s.charAt(to - 1) == ' ') {
            to--;
        }
        return to;
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    private static void appendIf(StringBuilder message, boolean condition, String text) {
        if (condition) {
            message.append(message.length() == 0 ? "" : " ").append(text);
        }
    }

    private static void appendMissing(StringBuilder list, boolean missing, String name) {
        if (missing) {
            list.append(list.length() == 0 ? "'" : ", '").append(name).append('\'');
        }
    }
}
