package io.openivs.server.auth;

import static io.openivs.server.auth.AuthException.INCOMPLETE_SIGNATURE;
import static io.openivs.server.auth.AuthException.INVALID_SIGNATURE;
import static io.openivs.server.auth.AuthException.MISSING_AUTHENTICATION_TOKEN;
import static io.openivs.server.auth.AuthException.UNRECOGNIZED_CLIENT;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 on control-API requests, so unmodified AWS SDKs and the CLI can authenticate:
 * the {@code Authorization} header form and presigned URLs, with the canonical request of non-S3 services.
 *
 * <p>Runs on the event loop for every request: per-thread digests and buffers, cached signing keys, no regex.
 * Thread-safe.
 */
public final class SigV4Verifier {
    private static final long MAX_SKEW_SECONDS = 15 * 60;
    private static final int MAX_CACHED_SIGNING_KEYS = 10_000;
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final AsciiString X_AMZ_CONTENT_SHA256 = AsciiString.cached("x-amz-content-sha256");
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final char[] EMPTY_BODY_SHA256 =
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".toCharArray();

    static final String SIGNATURE_MISMATCH =
            "The request signature we calculated does not match the signature you provided."
                    + " Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    private final CredentialStore store;
    private final String region;
    private final String service;
    private final Clock clock;
    private final SigningKeyCache signingKeys;

    public SigV4Verifier(CredentialStore store, String region, String service, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.region = requireNonEmpty(region, "region");
        this.service = requireNonEmpty(service, "service");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.signingKeys = new SigningKeyCache(region, service, MAX_CACHED_SIGNING_KEYS);
    }

    /**
     * Verifies a complete request.
     *
     * @param rawUri the request-target exactly as received (path plus optional ?query, still percent-encoded)
     * @param headers the request headers (case-insensitive)
     * @param body the full request body (may be empty, never null); its indexes are left untouched
     * @return the caller, when the signature is valid
     * @throws AuthException with the AWS error code and message to answer with (always HTTP 403)
     */
    public Principal verify(String method, String rawUri, HttpHeaders headers, ByteBuf body) throws AuthException {
        int end = rawUri.indexOf('#');
        if (end < 0) {
            end = rawUri.length();
        }
        int question = rawUri.indexOf('?');
        int pathEnd = question < 0 || question > end ? end : question;
        int queryStart = pathEnd < end ? pathEnd + 1 : end;
        int pathStart = pathStart(rawUri, pathEnd);

        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        AuthParameters auth;
        if (authorization != null) {
            auth = AuthParameters.fromHeader(authorization, headers);
        } else {
            auth = queryStart < end ? AuthParameters.fromQuery(rawUri, queryStart, end) : null;
            if (auth == null) {
                throw new AuthException(MISSING_AUTHENTICATION_TOKEN, "Missing Authentication Token");
            }
        }
        checkScope(auth);
        checkTime(auth, Math.floorDiv(clock.millis(), 1000L));

        CredentialStore.Credential credential = store.find(auth.accessKeyId);
        if (credential == null) {
            throw new AuthException(UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.");
        }

        Scratch scratch = SCRATCH.get();
        StringBuilder text = scratch.text;
        text.setLength(0);
        text.append(method).append('\n');
        CanonicalRequest.appendUri(text, rawUri, pathStart, pathEnd);
        text.append('\n');
        CanonicalRequest.appendQuery(text, rawUri, queryStart, end, auth.presigned());
        text.append('\n');
        CanonicalRequest.appendHeaders(text, headers, auth.signedHeaders);
        text.append('\n').append(auth.signedHeaders).append('\n');
        appendPayloadHash(text, headers.get(X_AMZ_CONTENT_SHA256), body, scratch);

        byte[] canonicalHash = scratch.sha256(text);
        text.setLength(0);
        text.append(AuthParameters.ALGORITHM)
                .append('\n')
                .append(auth.amzDate)
                .append('\n')
                .append(auth.scope)
                .append('\n');
        appendHex(text, canonicalHash, 32);

        SecretKeySpec signingKey = signingKeys.signingKey(credential, auth.scopeDate, scratch.hmac);
        byte[] expected = scratch.hmacSha256(signingKey, text);
        if (!decodeHex(auth.signature, scratch.provided) || !MessageDigest.isEqual(expected, scratch.provided)) {
            throw new AuthException(INVALID_SIGNATURE, SIGNATURE_MISMATCH);
        }
        return new Principal(credential.accessKeyId(), credential.accountId());
    }

    /** Where the path starts: at 0 for origin-form, after the authority for absolute-form ({@code http://host/p}). */
    private static int pathStart(String rawUri, int pathEnd) {
        if (rawUri.startsWith("/")) {
            return 0;
        }
        int scheme = rawUri.indexOf("://");
        if (scheme < 0 || scheme >= pathEnd) {
            return pathEnd;
        }
        int slash = rawUri.indexOf('/', scheme + 3);
        return slash < 0 || slash > pathEnd ? pathEnd : slash;
    }

    private void checkScope(AuthParameters auth) throws AuthException {
        if (!"aws4_request".equals(auth.scopeTerminator)) {
            throw new AuthException(
                    INCOMPLETE_SIGNATURE, "Credential should be scoped with a valid terminator: 'aws4_request'.");
        }
        if (auth.scopeDate.length() != 8 || !auth.amzDate.startsWith(auth.scopeDate)) {
            String scopeDate = isDigits(auth.scopeDate, 8) ? "'" + auth.scopeDate + "' != " : "";
            throw new AuthException(
                    INCOMPLETE_SIGNATURE,
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                            + scopeDate + "'" + auth.amzDate.substring(0, 8) + "', from '" + auth.amzDate + "'.");
        }
        if (!region.equals(auth.scopeRegion)) {
            throw new AuthException(INVALID_SIGNATURE, "Credential should be scoped to a valid region.");
        }
        if (!service.equals(auth.scopeService)) {
            throw new AuthException(
                    INVALID_SIGNATURE, "Credential should be scoped to correct service: '" + service + "'.");
        }
        if (!signsHost(auth.signedHeaders)) {
            // Without Host the signature could be replayed against another endpoint.
            throw new AuthException(
                    INCOMPLETE_SIGNATURE, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }
    }

    /** AWS's wording, which the SDKs and CLI recognise to correct their clock and retry. */
    private static void checkTime(AuthParameters auth, long now) throws AuthException {
        long time = auth.requestTime;
        if (time > now + MAX_SKEW_SECONDS) {
            throw new AuthException(
                    INVALID_SIGNATURE,
                    "Signature not yet current: " + auth.amzDate + " is still later than "
                            + AmzDate.formatBasic(now + MAX_SKEW_SECONDS) + " (" + AmzDate.formatBasic(now)
                            + " + 15 min.)");
        }
        if (!auth.presigned() && time < now - MAX_SKEW_SECONDS) {
            throw new AuthException(
                    INVALID_SIGNATURE,
                    "Signature expired: " + auth.amzDate + " is now earlier than "
                            + AmzDate.formatBasic(now - MAX_SKEW_SECONDS) + " (" + AmzDate.formatBasic(now)
                            + " - 15 min.)");
        }
        if (auth.presigned() && time < now - auth.expiresSeconds) {
            throw new AuthException(
                    INVALID_SIGNATURE,
                    "Signature expired: " + auth.amzDate + " is now earlier than "
                            + AmzDate.formatBasic(now - auth.expiresSeconds) + " (" + AmzDate.formatBasic(now) + " - "
                            + auth.expiresSeconds + " sec.)");
        }
    }

    /**
     * The last line of the canonical request: the body's SHA-256, or UNSIGNED-PAYLOAD when the client chose not to
     * sign the body. A claimed X-Amz-Content-SHA256 must match the body actually received.
     */
    private static void appendPayloadHash(StringBuilder text, String claimed, ByteBuf body, Scratch scratch)
            throws AuthException {
        if (UNSIGNED_PAYLOAD.equals(claimed)) {
            text.append(UNSIGNED_PAYLOAD);
            return;
        }
        char[] hash = body.isReadable() ? scratch.bodySha256Hex(body) : EMPTY_BODY_SHA256;
        if (claimed != null && !sameChars(claimed, hash)) {
            throw new AuthException(
                    INVALID_SIGNATURE, "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
        text.append(hash);
    }

    private static boolean sameChars(String s, char[] chars) {
        if (s.length() != chars.length) {
            return false;
        }
        for (int i = 0; i < chars.length; i++) {
            if (s.charAt(i) != chars[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean signsHost(String signedHeaders) {
        int n = signedHeaders.length();
        for (int start = 0; start < n; ) {
            int end = signedHeaders.indexOf(';', start);
            if (end < 0) {
                end = n;
            }
            if (end - start == 4 && signedHeaders.regionMatches(true, start, "host", 0, 4)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    private static void appendHex(StringBuilder out, byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            out.append(HEX[(bytes[i] >> 4) & 0xF]).append(HEX[bytes[i] & 0xF]);
        }
    }

    private static boolean decodeHex(String hex, byte[] out) {
        if (hex.length() != out.length * 2) {
            return false;
        }
        for (int i = 0; i < out.length; i++) {
            int hi = UriEncoding.hexValue(hex.charAt(2 * i));
            int lo = UriEncoding.hexValue(hex.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                return false;
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return true;
    }

    private static boolean isDigits(String s, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String requireNonEmpty(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }

    /** One thread's reusable digests and buffers; never shared, so no locking. */
    private static final class Scratch {
        final StringBuilder text = new StringBuilder(1024);
        final MessageDigest sha256;
        final Mac hmac;
        final byte[] digest = new byte[32];
        final byte[] signature = new byte[32];
        final byte[] provided = new byte[32];
        final char[] hex = new char[64];
        byte[] bytes = new byte[1024];

        Scratch() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
                hmac = Mac.getInstance("HmacSHA256");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-256 and HmacSHA256 are required of every Java runtime", e);
            }
        }

        /** @return the hash in {@link #digest}, valid until the next hash on this thread */
        byte[] sha256(CharSequence text) {
            sha256.reset();
            sha256.update(bytes, 0, encode(text));
            return finish();
        }

        byte[] hmacSha256(SecretKeySpec key, CharSequence text) {
            try {
                hmac.init(key);
                hmac.update(bytes, 0, encode(text));
                hmac.doFinal(signature, 0);
            } catch (InvalidKeyException | ShortBufferException e) {
                throw new IllegalStateException(e);
            }
            return signature;
        }

        /** Hashes the readable bytes straight from the buffer's memory: no copy for heap or NIO-backed buffers. */
        char[] bodySha256Hex(ByteBuf body) {
            sha256.reset();
            int index = body.readerIndex();
            int length = body.readableBytes();
            int nioBuffers = body.nioBufferCount();
            if (body.hasArray()) {
                sha256.update(body.array(), body.arrayOffset() + index, length);
            } else if (nioBuffers == 1) {
                sha256.update(body.nioBuffer(index, length));
            } else if (nioBuffers > 1) {
                for (ByteBuffer buffer : body.nioBuffers(index, length)) {
                    sha256.update(buffer);
                }
            } else {
                for (int done = 0; done < length; ) {
                    int chunk = Math.min(bytes.length, length - done);
                    body.getBytes(index + done, bytes, 0, chunk);
                    sha256.update(bytes, 0, chunk);
                    done += chunk;
                }
            }
            finish();
            for (int i = 0; i < 32; i++) {
                hex[2 * i] = HEX[(digest[i] >> 4) & 0xF];
                hex[2 * i + 1] = HEX[digest[i] & 0xF];
            }
            return hex;
        }

        private byte[] finish() {
            try {
                sha256.digest(digest, 0, 32);
            } catch (DigestException e) {
                throw new IllegalStateException(e);
            }
            return digest;
        }

        /**
         * Puts the text's wire bytes into {@link #bytes}: a char up to 0xFF is one byte (Netty decodes request lines
         * and headers as ISO-8859-1); anything above can only come from a Java-built string and is taken as UTF-8.
         */
        private int encode(CharSequence text) {
            int n = text.length();
            if (bytes.length < n) {
                bytes = new byte[Math.max(n, bytes.length * 2)];
            }
            int j = 0;
            for (int i = 0; i < n; i++) {
                char c = text.charAt(i);
                if (c <= 0xFF) {
                    bytes[j++] = (byte) c;
                    continue;
                }
                int codePoint = Character.codePointAt(text, i);
                if (Character.isSupplementaryCodePoint(codePoint)) {
                    i++;
                }
                if (bytes.length < j + 4 + (n - i)) {
                    bytes = Arrays.copyOf(bytes, (j + 4 + (n - i)) * 2);
                }
                if (codePoint < 0x800) {
                    bytes[j++] = (byte) (0xC0 | (codePoint >> 6));
                } else if (codePoint < 0x10000) {
                    bytes[j++] = (byte) (0xE0 | (codePoint >> 12));
                    bytes[j++] = (byte) (0x80 | ((codePoint >> 6) & 0x3F));
                } else {
                    bytes[j++] = (byte) (0xF0 | (codePoint >> 18));
                    bytes[j++] = (byte) (0x80 | ((codePoint >> 12) & 0x3F));
                    bytes[j++] = (byte) (0x80 | ((codePoint >> 6) & 0x3F));
                }
                bytes[j++] = (byte) (0x80 | (codePoint & 0x3F));
            }
            return j;
        }
    }
}
