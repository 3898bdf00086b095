package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Pre-encoded answers are byte for byte what the general path sends, and hand out head and body without a scan. */
class EncodedResponseTest {
    private static final String BODY = "#EXTM3U\n#EXT-X-VERSION:3\n";

    /** What {@link Responses#send} and Netty's encoder put on the wire for {@code r} answering a keep-alive GET. */
    private static String general(FullHttpResponse r) {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpResponseEncoder(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                HttpRequest get = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
                Responses.send(ctx, ViewerRequest.read(get, null, false), r, "*");
            }
        });
        ch.writeInbound("go");
        return drain(ch);
    }

    static String drain(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    @Test
    void aPlaylistIsTheGeneralAnswerEncodedOnce() {
        EncodedResponse e = EncodedResponse.of(
                Responses.PLAYLIST_TYPE, CachePolicy.PLAYLIST, BODY.getBytes(StandardCharsets.UTF_8));
        String expected = general(Responses.playlist(BODY));
        assertThat(e.whole().toString(StandardCharsets.ISO_8859_1))
                .isEqualTo(expected)
                .startsWith("HTTP/1.1 200 OK\r\n")
                .contains("content-length: " + BODY.length() + "\r\n")
                .contains("cache-control: max-age=1\r\n")
                .endsWith("\r\n\r\n" + BODY);
        assertThat(e.body().toString(StandardCharsets.UTF_8)).isEqualTo(BODY);
        assertThat(e.whole().isDirect()).as("sockets take it without a copy").isTrue();
        // Writers share it: releasing one's view frees nothing, and views have their own indexes.
        ByteBuf one = e.whole();
        one.skipBytes(one.readableBytes());
        one.release();
        assertThat(e.whole().readableBytes()).isEqualTo(expected.length());
    }

    @Test
    void aPlaylistChosenByAcceptSaysSoAsTheGeneralAnswerDoes() {
        FullHttpResponse r = Responses.playlist(BODY);
        r.headers().set(io.netty.handler.codec.http.HttpHeaderNames.VARY, Responses.ACCEPT);
        String expected = general(r);
        ByteBuf head = EncodedResponse.heads(
                Responses.PLAYLIST_TYPE, CachePolicy.PLAYLIST, true, new int[] {BODY.length()})[0];
        assertThat(head.toString(StandardCharsets.ISO_8859_1) + BODY)
                .isEqualTo(expected)
                .contains("vary: Accept\r\n");
    }

    @Test
    void segmentHeadsAreTheGeneralAnswersHeads() {
        int[] sizes = {250_000, 7, 0};
        ByteBuf[] heads = EncodedResponse.heads(Responses.TS_TYPE, CachePolicy.SHARED_MEDIA, sizes);
        for (int i = 0; i < sizes.length; i++) {
            String expected = general(
                    Responses.media(Unpooled.EMPTY_BUFFER, sizes[i], Responses.TS_TYPE, CachePolicy.SHARED_MEDIA));
            assertThat(heads[i].toString(StandardCharsets.ISO_8859_1))
                    .isEqualTo(expected)
                    .contains("content-length: " + sizes[i] + "\r\n")
                    .contains("cache-control: public, max-age=31536000, immutable\r\n")
                    .contains("content-type: video/mp2t\r\n")
                    .endsWith("access-control-allow-origin: *\r\n\r\n");
        }
    }
}
