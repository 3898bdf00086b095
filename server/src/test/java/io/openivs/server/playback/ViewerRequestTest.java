package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.openivs.server.net.KeepAlive;
import io.openivs.server.playback.access.AccessRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Reading a playback request: what it names, how to answer it, and what the access gate is asked. */
class ViewerRequestTest {
    static final String NAME = "us-west-2.123456789012.channel.AbCd1234";
    static final String CHANNEL = "/api/video/v1/" + NAME;
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.7", 50000);

    private static HttpRequest request(HttpVersion version, HttpMethod method, String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(version, method, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static ViewerRequest read(HttpMethod method, String uri, String... headers) {
        return ViewerRequest.read(request(HttpVersion.HTTP_1_1, method, uri, headers), PEER, false);
    }

    @Test
    void aSegmentWithAPlayersQuery() {
        ViewerRequest r = read(
                HttpMethod.GET,
                CHANNEL + "/42.ts?player_version=1.2&token=abc.def&x=1",
                "Origin",
                "https://example.com");
        assertThat(r.error()).isNull();
        assertThat(r.path()).isEqualTo(new PlaybackPath(PlaybackPath.Kind.SEGMENT, NAME, 42, -1, false));
        assertThat(r.head()).isFalse();
        assertThat(r.keepAlive()).isEqualTo(KeepAlive.KEEP);
        assertThat(r.chunked()).isTrue();
        assertThat(r.pathText()).isEqualTo(CHANNEL + "/42.ts");
        assertThat(r.query()).isEqualTo("?player_version=1.2&token=abc.def&x=1");
        assertThat(r.echoedUrl())
                .as("an error body never echoes the token")
                .isEqualTo(CHANNEL + "/42.ts?player_version=1.2&x=1");
        assertThat(r.access())
                .isEqualTo(new AccessRequest(NAME, false, "abc.def", "https://example.com", PEER.getAddress()));
    }

    @Test
    void theMultivariantPlaylistIsWherePlaybackStarts() {
        ViewerRequest r = read(HttpMethod.HEAD, CHANNEL + ".m3u8");
        assertThat(r.head()).isTrue();
        assertThat(r.query()).isEmpty();
        assertThat(r.access().master()).isTrue();
        assertThat(r.access().token()).isNull();
        assertThat(r.echoedUrl()).isEqualTo(CHANNEL + ".m3u8");
    }

    @Test
    void otherMethodsAndUnknownPathsNameNothing() {
        assertThat(read(HttpMethod.POST, CHANNEL + ".m3u8").error()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        ViewerRequest unknown = read(HttpMethod.HEAD, CHANNEL + "/../live.m3u8");
        assertThat(unknown.error()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(unknown.head()).as("a HEAD's 404 still has no body").isTrue();
        assertThat(unknown.path()).isNull();
    }

    @Test
    void connectionHandling() {
        assertThat(read(HttpMethod.GET, CHANNEL + ".m3u8", "Connection", "close")
                        .keepAlive())
                .isEqualTo(KeepAlive.CLOSE);
        ViewerRequest old = ViewerRequest.read(
                request(HttpVersion.HTTP_1_0, HttpMethod.GET, CHANNEL + "/1.0.m4s", "Connection", "keep-alive"),
                PEER,
                false);
        assertThat(old.keepAlive()).isEqualTo(KeepAlive.KEEP_HTTP_1_0);
        assertThat(old.chunked()).as("HTTP/1.0 has no chunked encoding").isFalse();
        assertThat(ViewerRequest.read(request(HttpVersion.HTTP_1_0, HttpMethod.GET, CHANNEL + ".m3u8"), PEER, false)
                        .keepAlive())
                .isEqualTo(KeepAlive.CLOSE);
    }

    @Test
    void forwardedForOnlyWhenTrustedAndLiteral() throws Exception {
        HttpRequest req = request(
                HttpVersion.HTTP_1_1, HttpMethod.GET, CHANNEL + ".m3u8", "X-Forwarded-For", "203.0.113.9 , 10.0.0.1");
        assertThat(ViewerRequest.read(req, PEER, false).client()).isEqualTo(PEER.getAddress());
        assertThat(ViewerRequest.read(req, PEER, true).client()).isEqualTo(InetAddress.getByName("203.0.113.9"));
        HttpRequest named = request(
                HttpVersion.HTTP_1_1, HttpMethod.GET, CHANNEL + ".m3u8", "X-Forwarded-For", "proxy.example.com");
        assertThat(ViewerRequest.read(named, PEER, true).client())
                .as("no DNS lookup on the event loop")
                .isEqualTo(PEER.getAddress());
    }
}
