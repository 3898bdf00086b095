package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;

/**
 * The playback listener at the HTTP level, over a raw socket: odd URLs, methods and bodies get the
 * answers they always got (404, 405, 403), bodies are refused, keep-alive and pipelining work.
 */
class PlaybackRequestsTest {
    @TempDir
    static Path dir;

    static TestServer server;
    /** An offline public channel's media playlist path, and a private channel's. */
    static String publicMedia;

    static String privateMedia;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dir, TestDatabases.sqlite(dir));
        try (IvsClient ivs = server.client(TestServer.ALICE)) {
            publicMedia =
                    mediaPath(ivs.createChannel(b -> b.name("open")).channel().playbackUrl());
            privateMedia = mediaPath(ivs.createChannel(b -> b.name("closed").authorized(true))
                    .channel()
                    .playbackUrl());
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The path of the media playlist of the channel whose multivariant playlist is at {@code url}. */
    private static String mediaPath(String url) {
        return url.substring(url.indexOf('/', "http://".length())).replace(".m3u8", "/live.m3u8");
    }

    private record Response(int status, Map<String, String> headers, String body) {}

    @Test
    void oddUrlsNameNothing() throws Exception {
        String channel = publicMedia.substring(0, publicMedia.length() - "/live.m3u8".length());
        assertThat(get(publicMedia).status()).as("offline public channel").isEqualTo(404);
        assertThat(get(publicMedia + "?token=abc&player=x").status()).isEqualTo(404);
        assertThat(get(channel + ".m3u8?").status()).isEqualTo(404);
        for (String odd : List.of(
                "/",
                "/api/video/v1/",
                channel.replace("channel.", "channel%2E") + ".m3u8",
                channel + "/live%2Em3u8",
                channel + "//live.m3u8",
                "/api/video/v1//" + channel.substring(14) + ".m3u8",
                channel + "/../live.m3u8",
                channel + "/..%2F..%2Fetc%2Fpasswd",
                channel + "/1.2.ts",
                channel + "/" + "9".repeat(4000) + ".ts",
                "/api/video/v1/" + "a".repeat(6000) + ".m3u8")) {
            Response r = get(odd);
            assertThat(r.status())
                    .as(odd.length() > 100 ? odd.substring(0, 100) : odd)
                    .isEqualTo(404);
            assertThat(r.headers())
                    .containsEntry("access-control-allow-origin", "*")
                    .containsEntry("cache-control", "no-cache")
                    .containsEntry("content-length", "0");
        }
    }

    @Test
    void privateChannelWithoutTokenIsRefusedWithoutEchoingTheToken() throws Exception {
        Response r = get(privateMedia + "?player=1&token=not-a-token");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.headers()).containsEntry("content-type", "application/json");
        assertThat(r.body())
                .contains("\"url\":\"" + privateMedia + "?player=1\"")
                .doesNotContain("not-a-token");
    }

    @Test
    void methodsAndBodies() throws Exception {
        try (Socket s = connect()) {
            send(s, "POST " + publicMedia + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(read(s.getInputStream(), false).status()).isEqualTo(405);
            send(s, "HEAD " + publicMedia + " HTTP/1.1\r\nHost: x\r\n\r\n");
            Response head = read(s.getInputStream(), true);
            assertThat(head.status()).isEqualTo(404);
            // The connection lives on after both.
            send(s, "GET " + publicMedia + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(read(s.getInputStream(), false).status()).isEqualTo(404);
        }
        for (String withBody : List.of(
                "Content-Length: 5\r\n\r\nhello", "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")) {
            try (Socket s = connect()) {
                send(s, "GET " + publicMedia + " HTTP/1.1\r\nHost: x\r\n" + withBody);
                Response r = read(s.getInputStream(), false);
                assertThat(r.status()).as(withBody).isEqualTo(413);
                assertThat(r.headers()).containsEntry("connection", "close");
                assertThat(s.getInputStream().read())
                        .as("closed after the refusal")
                        .isEqualTo(-1);
            }
        }
        try (Socket s = connect()) {
            // Beyond the decoder's 8 KB request line: malformed, answered and closed.
            send(s, "GET /api/video/v1/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(read(s.getInputStream(), false).status()).isEqualTo(400);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        get(publicMedia); // the channel's access snapshot is loaded: every answer below comes at once
        try (Socket s = connect()) {
            StringBuilder burst = new StringBuilder();
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                burst.append(i % 3 == 0 ? "POST " : "GET ")
                        .append(i % 2 == 0 ? publicMedia : "/nothing")
                        .append(" HTTP/1.1\r\nHost: x\r\n\r\n");
                expected.add(i % 3 == 0 ? 405 : 404);
            }
            send(s, burst.toString());
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                statuses.add(read(s.getInputStream(), false).status());
            }
            assertThat(statuses).isEqualTo(expected);
            send(s, "GET " + privateMedia + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(read(s.getInputStream(), false).status()).isEqualTo(403);
            assertThat(s.getInputStream().read())
                    .as("Connection: close is honoured")
                    .isEqualTo(-1);
        }
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.server().playbackPort());
        s.setSoTimeout(10_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static Response get(String path) throws IOException {
        try (Socket s = connect()) {
            send(s, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            return read(s.getInputStream(), false);
        }
    }

    /** One response; {@code head}: it answers a HEAD request, so no body follows whatever Content-Length says. */
    private static Response read(InputStream in, boolean head) throws IOException {
        String status = line(in);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.put(
                    h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    h.substring(colon + 1).trim());
        }
        int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Response(Integer.parseInt(status.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
