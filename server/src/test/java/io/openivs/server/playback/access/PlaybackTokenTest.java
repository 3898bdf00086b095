package io.openivs.server.playback.access;

import static io.openivs.server.playback.access.LiveChannels.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.Channel;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * A private channel carrying real video (ffmpeg over RTMP) played with real ES384 tokens: ffprobe
 * plays with a valid token; every kind of bad token gets IVS's 403; a public channel is unaffected.
 */
class PlaybackTokenTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    static IvsClient alice;
    static IvsClient bob;
    static KeyPair aliceKey;
    static KeyPair bobKey;
    static Channel privateChannel;
    static Channel publicChannel;
    static String url;
    static String arn;

    @BeforeAll
    static void start() throws Exception {
        alice = node.ivs();
        bob = node.client(TestServer.BOB);
        aliceKey = TestTokens.newKeyPair();
        bobKey = TestTokens.newKeyPair();
        alice.importPlaybackKeyPair(b -> b.publicKeyMaterial(TestTokens.publicPem(aliceKey)));
        bob.importPlaybackKeyPair(b -> b.publicKeyMaterial(TestTokens.publicPem(bobKey)));
        CreateChannelResponse priv =
                alice.createChannel(b -> b.name("private").authorized(true).insecureIngest(true));
        CreateChannelResponse pub = alice.createChannel(b -> b.name("public").insecureIngest(true));
        privateChannel = priv.channel();
        publicChannel = pub.channel();
        url = privateChannel.playbackUrl();
        arn = privateChannel.arn();
        // Larger than SD, so aws:maximum-resolution=SD hides it.
        LiveChannels.publish(node.background(), node.server(), priv.streamKey().value(), "960x540", 90);
        LiveChannels.publish(node.background(), node.server(), pub.streamKey().value(), "320x180", 90);
        LiveChannels.awaitPlayable(
                alice, arn, url + "?token=" + TestTokens.sign(aliceKey, arn, 60), Duration.ofSeconds(20));
        LiveChannels.awaitPlayable(alice, publicChannel.arn(), publicChannel.playbackUrl(), Duration.ofSeconds(20));
    }

    private static String token(long ttl, java.util.function.Consumer<com.nimbusds.jwt.JWTClaimsSet.Builder> extra) {
        return TestTokens.sign(aliceKey, arn, ttl, extra);
    }

    private static void assertRefused(HttpResponse<String> r, String error) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(r.body())
                .startsWith("[{\"url\":\"/api/video/v1/")
                .contains("\"error_code\":\"invalid_playback_auth_token\"")
                .contains("\"type\":\"error\"")
                .contains(error)
                .doesNotContain("token=");
    }

    @Test
    void validTokenPlaysAndItsSessionTicketTravelsToEveryChildUrl() throws Exception {
        String t = token(300, c -> {});
        FfmpegTool.Result probe = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-show_entries",
                "stream=codec_name,width,height",
                "-of",
                "csv=p=0",
                url + "?token=" + t);
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        assertThat(probe.stdout()).contains("h264,960,540").contains("aac");

        HttpResponse<String> master = get(url + "?player_version=1.2&token=" + t);
        assertThat(master.statusCode()).isEqualTo(200);
        assertThat(master.headers().firstValue("access-control-allow-origin")).hasValue("*");
        String media = LiveChannels.firstUri(url, master.body());
        // Children carry the session ticket the master issued, not the token (issue 15).
        assertThat(media).contains("/live.m3u8?ticket=").doesNotContain(t);
        HttpResponse<String> mediaPlaylist = get(media);
        String segment = LiveChannels.lastUri(media, mediaPlaylist.body());
        assertThat(segment).contains(".ts?ticket=").doesNotContain(t);
        assertThat(get(segment).statusCode()).isEqualTo(200);
        // The child URLs without the token are refused too.
        assertRefused(get(media.substring(0, media.indexOf('?'))), "invalid number of segments");
        assertRefused(get(segment.substring(0, segment.indexOf('?'))), "invalid number of segments");
    }

    @Test
    void badTokensAreRefused() throws Exception {
        assertRefused(get(url), "token contains an invalid number of segments");
        assertRefused(get(url + "?token=abc"), "token contains an invalid number of segments");
        assertRefused(get(url + "?token=" + token(-5, c -> {})), "token is expired");
        String otherArn = alice.createChannel(b -> b.authorized(true)).channel().arn();
        assertRefused(get(url + "?token=" + TestTokens.sign(aliceKey, otherArn, 300)), "not valid for this channel");
        assertRefused(get(url + "?token=" + TestTokens.sign(bobKey, arn, 300)), "signature is invalid");
        String good = token(300, c -> {});
        int sig = good.lastIndexOf('.') + 10;
        String tampered = good.substring(0, sig) + (good.charAt(sig) == 'A' ? 'B' : 'A') + good.substring(sig + 1);
        assertRefused(get(url + "?token=" + tampered), "signature is invalid");
        // Claims changed after signing: the signature no longer matches.
        String[] parts = good.split("\\.");
        String forged = parts[0] + "."
                + java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(("{\"aws:channel-arn\":\"" + arn + "\",\"exp\":"
                                        + (System.currentTimeMillis() / 1000 + 9999) + "}")
                                .getBytes())
                + "." + parts[2];
        assertRefused(get(url + "?token=" + forged), "signature is invalid");
        assertThat(get(url + "?token=" + good).statusCode()).isEqualTo(200);
    }

    @Test
    void privateAndUnknownChannelsLookAlikeWithoutAToken() throws Exception {
        String unknown =
                url.replace(privateChannel.arn().substring(privateChannel.arn().lastIndexOf('/') + 1), "AAAAAAAAAAAA");
        String offline = alice.createChannel(b -> b.authorized(true)).channel().playbackUrl();
        for (String u : new String[] {unknown, offline, url}) {
            HttpResponse<String> r = get(u);
            assertRefused(r, "token contains an invalid number of segments");
        }
    }

    @Test
    void deletingTheKeyPairInvalidatesItsTokensAtOnce() throws Exception {
        KeyPair second = TestTokens.newKeyPair();
        String keyArn = alice.importPlaybackKeyPair(b -> b.publicKeyMaterial(TestTokens.publicPem(second)))
                .keyPair()
                .arn();
        String t = TestTokens.sign(second, arn, 300);
        HttpResponse<String> master = get(url + "?token=" + t);
        assertThat(master.statusCode()).isEqualTo(200);
        String media = LiveChannels.firstUri(url, master.body());
        String segment = LiveChannels.lastUri(media, get(media).body());
        assertThat(get(segment).statusCode()).isEqualTo(200);

        alice.deletePlaybackKeyPair(b -> b.arn(keyArn));
        assertRefused(get(url + "?token=" + t), "signature is invalid");
        assertRefused(get(segment), "signature is invalid");
        // Tokens of the remaining key pair still play.
        assertThat(get(url + "?token=" + token(300, c -> {})).statusCode()).isEqualTo(200);
    }

    @Test
    void revokedViewerSessionsAreRefusedOnEveryRequest() throws Exception {
        String v5 = token(300, c -> c.claim("aws:viewer-id", "viewer-1").claim("aws:viewer-session-version", "5"));
        HttpResponse<String> master = get(url + "?token=" + v5);
        assertThat(master.statusCode()).isEqualTo(200);
        String media = LiveChannels.firstUri(url, master.body());
        String segment = LiveChannels.lastUri(media, get(media).body());

        alice.startViewerSessionRevocation(
                b -> b.channelArn(arn).viewerId("viewer-1").viewerSessionVersionsLessThanOrEqualTo(5));
        assertRefused(get(url + "?token=" + v5), "revoked");
        assertRefused(get(segment), "revoked");
        // A newer session version re-admits the viewer; other viewers never were affected.
        assertThat(get(url + "?token="
                                + token(
                                        300,
                                        c -> c.claim("aws:viewer-id", "viewer-1")
                                                .claim("aws:viewer-session-version", 6)))
                        .statusCode())
                .isEqualTo(200);
        String other = token(300, c -> c.claim("aws:viewer-id", "viewer-2"));
        assertThat(get(url + "?token=" + other).statusCode()).isEqualTo(200);
        // The batch form; a token without a version counts as version 0.
        alice.batchStartViewerSessionRevocation(
                b -> b.viewerSessions(s -> s.channelArn(arn).viewerId("viewer-2")));
        assertRefused(get(url + "?token=" + other), "revoked");
        // Viewer-id tokens may not live longer than 10 minutes.
        assertRefused(get(url + "?token=" + token(3600, c -> c.claim("aws:viewer-id", "viewer-3"))), "10 minutes");
    }

    @Test
    void singleUseTokenStartsPlaybackOnce() throws Exception {
        String t =
                token(300, c -> c.claim("aws:single-use-uuid", UUID.randomUUID().toString()));
        HttpResponse<String> first = get(url + "?token=" + t);
        assertThat(first.statusCode()).isEqualTo(200);
        assertRefused(get(url + "?token=" + t), "already used");
        // The session it started goes on.
        String media = LiveChannels.firstUri(url, first.body());
        assertThat(get(media).statusCode()).isEqualTo(200);
    }

    @Test
    void maximumResolutionHidesLargerRenditions() throws Exception {
        assertRefused(
                get(url + "?token=" + token(300, c -> c.claim("aws:maximum-resolution", "SD"))), "maximum-resolution");
        assertThat(get(url + "?token=" + token(300, c -> c.claim("aws:maximum-resolution", "HD")))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void corsAnswerFollowsTheOriginClaim() throws Exception {
        String t = token(
                300, c -> c.claim("aws:access-control-allow-origin", "https://a.example.com,https://*.b.example.com"));
        HttpResponse<String> ok = get(url + "?token=" + t, "Origin", "https://x.b.example.com");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("access-control-allow-origin")).hasValue("https://x.b.example.com");
        assertRefused(get(url + "?token=" + t, "Origin", "https://evil.example.org"), "origin is not allowed");
        // Not a browser: no Origin, allowed; the header names the token's origin.
        HttpResponse<String> noOrigin = get(url + "?token=" + t);
        assertThat(noOrigin.statusCode()).isEqualTo(200);
        assertThat(noOrigin.headers().firstValue("access-control-allow-origin")).hasValue("https://a.example.com");
        String segment = LiveChannels.lastUri(
                LiveChannels.firstUri(url, ok.body()),
                get(LiveChannels.firstUri(url, ok.body())).body());
        // Without strict enforcement only the multivariant playlist checks the origin.
        assertThat(get(segment, "Origin", "https://evil.example.org").statusCode())
                .isEqualTo(200);

        String strict = token(
                300,
                c -> c.claim("aws:access-control-allow-origin", "https://a.example.com")
                        .claim("aws:strict-origin-enforcement", true));
        HttpResponse<String> master = get(url + "?token=" + strict, "Origin", "https://a.example.com");
        assertThat(master.statusCode()).isEqualTo(200);
        String media = LiveChannels.firstUri(url, master.body());
        String strictSegment = LiveChannels.lastUri(
                media, get(media, "Origin", "https://a.example.com").body());
        assertThat(get(strictSegment, "Origin", "https://a.example.com").statusCode())
                .isEqualTo(200);
        assertRefused(get(strictSegment), "origin is required");
        assertRefused(get(strictSegment, "Origin", "https://evil.example.org"), "origin is not allowed");
    }

    @Test
    void publicChannelNeedsNoToken() throws Exception {
        HttpResponse<String> r = get(publicChannel.playbackUrl());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
        assertThat(r.body()).doesNotContain("token=");
        // A token does not hurt either, and is not carried along.
        assertThat(get(publicChannel.playbackUrl() + "?token=whatever").body()).doesNotContain("token=");
    }

    /** Runs the openivs command line in this JVM; returns its standard output. */
    private static String openivs(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = new picocli.CommandLine(new io.openivs.server.Main())
                .setOut(new java.io.PrintWriter(out))
                .setErr(new java.io.PrintWriter(err))
                .execute(args);
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }

    @Test
    void cliGeneratesKeysAndMintsAPlayableUrl(@TempDir Path keys) throws Exception {
        assertThat(openivs("keys", "generate", "--out-dir", keys.toString(), "--name", "viewer"))
                .contains("viewer-private.pem")
                .contains("import-playback-key-pair");
        String publicPem = java.nio.file.Files.readString(keys.resolve("viewer-public.pem"));
        String keyArn = alice.importPlaybackKeyPair(b -> b.publicKeyMaterial(publicPem))
                .keyPair()
                .arn();
        try {
            String port = Integer.toString(node.server().server().playbackPort());
            String minted = openivs(
                            "token",
                            "--channel-arn",
                            arn,
                            "--key",
                            keys.resolve("viewer-private.pem").toString(),
                            "--ttl",
                            "5m",
                            "--viewer-id",
                            "cli-viewer",
                            "--public-host",
                            "localhost",
                            "--playback-port",
                            port)
                    .strip();
            assertThat(minted).startsWith(url + "?token=");
            FfmpegTool.Result probe =
                    FfmpegTool.ffprobe("-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", minted);
            assertThat(probe.exitCode()).as(probe.stderr()).isZero();
            assertThat(probe.stdout()).contains("h264");
            // --playback-url gives the same; a viewer-id token defaults to the 10 minutes the server allows.
            String viaUrl = openivs(
                            "token",
                            "--channel-arn",
                            arn,
                            "--key",
                            keys.resolve("viewer-private.pem").toString(),
                            "--viewer-id",
                            "cli-viewer",
                            "--playback-url",
                            url)
                    .strip();
            assertThat(get(viaUrl).statusCode()).isEqualTo(200);
            // One hour with a viewer id breaks the 10-minute rule: the tool refuses to mint what the server refuses.
            java.io.StringWriter err = new java.io.StringWriter();
            int code = new picocli.CommandLine(new io.openivs.server.Main())
                    .setErr(new java.io.PrintWriter(err))
                    .execute(
                            "token",
                            "--channel-arn",
                            arn,
                            "--key",
                            keys.resolve("viewer-private.pem").toString(),
                            "--ttl",
                            "1h",
                            "--viewer-id",
                            "cli-viewer",
                            "--playback-url",
                            url);
            assertThat(code).isNotZero();
            assertThat(err.toString()).contains("--ttl 1h").contains("within 10 minutes");
        } finally {
            alice.deletePlaybackKeyPair(b -> b.arn(keyArn));
        }
    }
}
