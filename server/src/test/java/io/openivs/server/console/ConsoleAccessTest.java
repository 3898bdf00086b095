package io.openivs.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openivs.server.auth.CredentialStore;
import io.openivs.server.config.ServerConfig;
import io.openivs.server.testing.TestCa;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * The console's doors over plain HTTP: who gets in, with what cookie, and what a session may do. The pages
 * themselves are tested in Chromium ({@code ConsoleBrowserTest}).
 */
class ConsoleAccessTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private String base;

    @Test
    void sessionsAreCookiesThatOnlyReachTheirOwnAccount() throws Exception {
        try (TestServer server = new TestServer(dir, TestDatabases.sqlite(dir));
                IvsClient alice = server.client(TestServer.ALICE);
                IvsClient bob = server.client(TestServer.BOB)) {
            base = "http://127.0.0.1:" + server.server().apiPort() + "/console/";
            CreateChannelResponse privateChannel =
                    alice.createChannel(b -> b.name("alices-private").authorized(true));
            bob.createChannel(b -> b.name("bobs"));

            // The files are public and come from the jar, hls.js included.
            HttpResponse<String> page = send(get(""), null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy"))
                    .hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
            assertThat(send(get("hls.min.js"), null).body()).contains("Hls");
            assertThat(send(get("nothing-here.js"), null).statusCode()).isEqualTo(404);

            // Data needs a session: 401 without one, 403 for a wrong or unknown key (same words for both).
            assertThat(send(api("ListChannels"), null).statusCode()).isEqualTo(401);
            assertThat(send(token(privateChannel.channel().arn()), null).statusCode())
                    .isEqualTo(401);
            HttpResponse<String> wrong = signIn(TestServer.ALICE.accessKeyId(), "not-it");
            HttpResponse<String> unknown = signIn("AKIANOBODY0000000000", TestServer.ALICE.secretKey());
            assertThat(wrong.statusCode()).isEqualTo(403);
            assertThat(unknown.statusCode()).isEqualTo(403);
            assertThat(wrong.body()).isEqualTo(unknown.body());
            assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
            // Sign-in without the console's header (a form posted from another site) is refused.
            assertThat(send(
                                    HttpRequest.newBuilder(URI.create(base + "session"))
                                            .POST(HttpRequest.BodyPublishers.ofString(credentials(TestServer.ALICE))),
                                    null)
                            .statusCode())
                    .isEqualTo(403);

            String aliceCookie = cookieOf(signIn(TestServer.ALICE));
            String bobCookie = cookieOf(signIn(TestServer.BOB));

            // The API's own operations, answered for the session's account only.
            HttpResponse<String> list = send(api("ListChannels"), aliceCookie);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(list.body()).path("channels").findValuesAsText("name"))
                    .containsExactly("alices-private");
            HttpResponse<String> foreign = send(
                    api("GetChannel", "{\"arn\":\"" + privateChannel.channel().arn() + "\"}"), bobCookie);
            assertThat(foreign.statusCode()).isEqualTo(404);
            // The cookie alone, without the console's header, does nothing.
            HttpRequest.Builder noHeader = HttpRequest.newBuilder(URI.create(base + "api/ListChannels"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}"));
            assertThat(send(noHeader, aliceCookie).statusCode()).isEqualTo(403);

            // Preview tokens: for one's own channels only; the minted one opens the private playlist's door.
            assertThat(send(token(privateChannel.channel().arn()), bobCookie).statusCode())
                    .isEqualTo(400);
            HttpResponse<String> minted = send(token(privateChannel.channel().arn()), aliceCookie);
            assertThat(minted.statusCode()).isEqualTo(200);
            String jwt = JSON.readTree(minted.body()).path("token").asText();
            String playback = privateChannel.channel().playbackUrl();
            // Offline, so 404 past the door; a bad token is 403 at the door.
            assertThat(send(HttpRequest.newBuilder(URI.create(playback + "?token=" + jwt)), null)
                            .statusCode())
                    .isEqualTo(404);
            assertThat(send(
                                    HttpRequest.newBuilder(URI.create(
                                            playback + "?token=" + jwt.substring(0, jwt.length() - 4) + "AAAA")),
                                    null)
                            .statusCode())
                    .isEqualTo(403);

            // Signing out ends the session on the server, not only in the browser.
            HttpResponse<String> out = send(
                    HttpRequest.newBuilder(URI.create(base + "session"))
                            .header("x-openivs-console", "1")
                            .DELETE(),
                    aliceCookie);
            assertThat(out.statusCode()).isEqualTo(204);
            assertThat(send(api("ListChannels"), aliceCookie).statusCode()).isEqualTo(401);
            assertThat(send(api("ListChannels"), bobCookie).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void overHttpsTheCookieIsSecure() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"));
        TestCa.Issued cert = ca.issue("localhost", 1, TestCa.KeyFormat.RSA_PKCS8);
        Path data = dir.resolve("data");
        try (TestServer server =
                new TestServer(data, TestDatabases.sqlite(data), new ServerConfig.Tls(cert.chain(), cert.key()))) {
            HttpClient https = HttpClient.newBuilder()
                    .sslContext(ca.clientContext())
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            HttpResponse<String> signedIn = https.send(
                    HttpRequest.newBuilder(URI.create(
                                    "https://localhost:" + server.server().apiPort() + "/console/session"))
                            .header("x-openivs-console", "1")
                            .POST(HttpRequest.BodyPublishers.ofString(credentials(TestServer.ALICE)))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(signedIn.statusCode()).isEqualTo(200);
            assertThat(signedIn.headers().firstValue("Set-Cookie").orElseThrow())
                    .contains("Secure")
                    .containsIgnoringCase("HttpOnly")
                    .contains("SameSite=Strict");
            assertThat(JSON.readTree(signedIn.body())
                            .path("ingest")
                            .path("rtmps")
                            .asText())
                    .startsWith("rtmps://localhost:");
        }
    }

    private HttpResponse<String> signIn(CredentialStore.Credential who) throws Exception {
        return signIn(who.accessKeyId(), who.secretKey());
    }

    private HttpResponse<String> signIn(String keyId, String secret) throws Exception {
        return send(
                HttpRequest.newBuilder(URI.create(base + "session"))
                        .header("x-openivs-console", "1")
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(JSON.createObjectNode()
                                .put("accessKeyId", keyId)
                                .put("secretAccessKey", secret)))),
                null);
    }

    private static String credentials(CredentialStore.Credential who) {
        return "{\"accessKeyId\":\"" + who.accessKeyId() + "\",\"secretAccessKey\":\"" + who.secretKey() + "\"}";
    }

    /** The session cookie, after checking its attributes: HttpOnly, SameSite=Strict, the console's path. */
    private static String cookieOf(HttpResponse<String> signedIn) throws Exception {
        assertThat(signedIn.statusCode()).isEqualTo(200);
        JsonNode about = JSON.readTree(signedIn.body());
        assertThat(about.path("ingest").path("rtmps").asText()).startsWith("rtmps://localhost:");
        assertThat(signedIn.body()).doesNotContain(TestServer.ALICE.secretKey());
        String header = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(header)
                .startsWith(ConsoleHandler.COOKIE + "=")
                .containsIgnoringCase("HttpOnly")
                .contains("SameSite=Strict")
                .contains("Path=/console/")
                .doesNotContain("Secure"); // plain HTTP here: a Secure cookie would never come back
        return header.substring(0, header.indexOf(';'));
    }

    private HttpRequest.Builder get(String name) {
        return HttpRequest.newBuilder(URI.create(base + name));
    }

    private HttpRequest.Builder api(String operation) {
        return api(operation, "{}");
    }

    private HttpRequest.Builder api(String operation, String body) {
        return HttpRequest.newBuilder(URI.create(base + "api/" + operation))
                .header("x-openivs-console", "1")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpRequest.Builder token(String channelArn) {
        return HttpRequest.newBuilder(URI.create(base + "token"))
                .header("x-openivs-console", "1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"channelArn\":\"" + channelArn + "\"}"));
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String cookie) throws Exception {
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
