package io.openivs.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class CanonicalRequestTest {

    static String uri(String rawPath) {
        StringBuilder out = new StringBuilder();
        CanonicalRequest.appendUri(out, rawPath, 0, rawPath.length());
        return out.toString();
    }

    static String query(String rawQuery, boolean presigned) {
        StringBuilder out = new StringBuilder();
        CanonicalRequest.appendQuery(out, rawQuery, 0, rawQuery.length(), presigned);
        return out.toString();
    }

    @Test
    void pathIsEncodedOnceMore() {
        assertThat(uri("/tags/arn%3Aaws%3Aivs%3Aus-west-2%3A123456789012%3Achannel%2FAbCd"))
                .isEqualTo("/tags/arn%253Aaws%253Aivs%253Aus-west-2%253A123456789012%253Achannel%252FAbCd");
        assertThat(uri("/CreateChannel")).isEqualTo("/CreateChannel");
        assertThat(uri("")).isEqualTo("/");
    }

    @Test
    void pathLosesDotAndEmptySegmentsButKeepsTrailingSlash() {
        assertThat(uri("/a//b/./c/../d/")).isEqualTo("/a/b/d/");
        assertThat(uri("/a/b/..")).isEqualTo("/a/");
        assertThat(uri("/../a")).isEqualTo("/a");
        assertThat(uri("/a/.hidden/..b")).isEqualTo("/a/.hidden/..b");
        assertThat(uri("/a/%2E%2E/b")).as("escaped dots are not dot segments").isEqualTo("/a/%252E%252E/b");
    }

    @Test
    void rawNonAsciiPathBytesAreEncodedAsTheBytesReceived() {
        // Netty hands each received byte over as one char: UTF-8 "é" arrives as \u00c3\u00a9.
        assertThat(uri("/caf\u00c3\u00a9 x")).isEqualTo("/caf%C3%A9%20x");
        // Only a Java-built string can hold chars above 0xFF; those are taken as UTF-8.
        assertThat(uri("/\u20ac")).isEqualTo("/%E2%82%AC");
    }

    @Test
    void queryIsSortedByKeyThenValueAndReEncoded() {
        assertThat(query("b=2&a-b=1&a=z%20y&a=&c&%7e=%7E&x=a+b&k=%3a", false))
                .isEqualTo("a=&a=z%20y&a-b=1&b=2&c=&k=%3A&x=a%2Bb&~=~");
        assertThat(query("tagKeys=b&tagKeys=a", false)).isEqualTo("tagKeys=a&tagKeys=b");
        assertThat(query("", false)).isEmpty();
    }

    @Test
    void presignedQueryLeavesOutOnlyTheSignature() {
        assertThat(query("X-Amz-Signature=abc&b=1&X-Amz-Date=20240101T000000Z", true))
                .isEqualTo("X-Amz-Date=20240101T000000Z&b=1");
        assertThat(query("X-Amz-Signature=abc&b=1", false)).isEqualTo("X-Amz-Signature=abc&b=1");
    }

    @Test
    void headersFollowSignedOrderTrimmedFoldedAndJoined() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Host", "ivs.example")
                .add("X-Amz-Date", "20240101T000000Z")
                .add("My-Header", "a   b \t c")
                .add("my-header", "second");
        StringBuilder out = new StringBuilder();

        CanonicalRequest.appendHeaders(out, headers, "host;my-header;x-amz-date");

        assertThat(out).hasToString("host:ivs.example\nmy-header:a b c,second\nx-amz-date:20240101T000000Z\n");
    }

    @Test
    void amzDateAcceptsOnlyRealBasicTimestamps() {
        assertThat(AmzDate.parseBasic("20240229T235959Z")).isEqualTo(1709251199L);
        assertThat(AmzDate.parseBasic("20230229T000000Z")).isEqualTo(AmzDate.INVALID);
        assertThat(AmzDate.parseBasic("20240101T240000Z")).isEqualTo(AmzDate.INVALID);
        assertThat(AmzDate.parseBasic("2024-01-01T00:00:00Z")).isEqualTo(AmzDate.INVALID);
        assertThat(AmzDate.parseHttpDate("Mon, 01 Jan 2024 00:00:00 GMT")).isEqualTo(1704067200L);
        assertThat(AmzDate.formatBasic(1704067200L)).isEqualTo("20240101T000000Z");
    }
}
