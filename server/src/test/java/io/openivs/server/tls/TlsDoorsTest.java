package io.openivs.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.config.ServerConfig;
import io.openivs.server.config.StartupFailure;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestCa;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * The operator's certificate on every door (RTMPS, HTTPS playback, HTTPS API), verified by clients that trust
 * only the test CA, and a renewal picked up by new connections without a restart.
 */
class TlsDoorsTest {
    private static final BigInteger FIRST = BigInteger.valueOf(0x1001);
    private static final BigInteger RENEWED = BigInteger.valueOf(0x2002);

    @Test
    void everyDoorServesTheOperatorsCertificateAndFollowsItsRenewal(@TempDir Path dir) throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"));
        TestCa other = TestCa.create(dir.resolve("other-ca"));
        TestCa.Issued first = ca.issue("first", FIRST.longValue(), TestCa.KeyFormat.EC_SEC1);
        // Where certbot keeps the live pair; a renewal replaces both files.
        Path live = Files.createDirectories(dir.resolve("live"));
        Path cert = live.resolve("fullchain.pem");
        Path key = live.resolve("privkey.pem");
        Files.copy(first.chain(), cert);
        Files.copy(first.key(), key);
        Path data = dir.resolve("data");
        try (TestServer node = new TestServer(
                data, TestDatabases.sqlite(data), new ServerConfig.Tls(cert, key, Duration.ofMillis(200)))) {
            var server = node.server();
            // The AWS SDK over https, trusting the test CA only (the host name is checked as well).
            TrustManager[] trust = {ca.trustManager()};
            try (IvsClient ivs = IvsClient.builder()
                    .endpointOverride(node.endpoint())
                    .region(Region.of(TestServer.REGION))
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(TestServer.ALICE.accessKeyId(), TestServer.ALICE.secretKey())))
                    .httpClient(UrlConnectionHttpClient.builder()
                            .tlsTrustManagersProvider(() -> trust)
                            .build())
                    .build()) {
                assertThat(node.endpoint().getScheme()).isEqualTo("https");
                CreateChannelResponse created = ivs.createChannel(b -> b.name("tls"));
                String playbackUrl = created.channel().playbackUrl();
                assertThat(playbackUrl).startsWith("https://localhost:" + server.playbackPort() + "/api/video/v1/");

                for (int port : new int[] {server.apiPort(), server.playbackPort(), server.rtmpsPort()}) {
                    assertThat(ca.peerCertificate(port).getSerialNumber())
                            .as("port " + port)
                            .isEqualTo(FIRST);
                }

                // An encoder that verifies against another CA refuses the certificate (and publishes nothing).
                List<String> refused = new ArrayList<>(Publishing.lowLatencyArgs(
                        "rtmps://localhost:" + server.rtmpsPort() + "/app/"
                                + created.streamKey().value(),
                        2));
                refused.addAll(
                        refused.size() - 1,
                        List.of(
                                "-tls_verify",
                                "1",
                                "-ca_file",
                                other.certificate().toString()));
                assertThat(FfmpegTool.ffmpeg(refused.toArray(String[]::new)).exitCode())
                        .isNotZero();
                // ffmpeg publishing over RTMPS, verifying the certificate and host name against the CA.
                String rtmps = "rtmps://localhost:" + server.rtmpsPort() + "/app/"
                        + created.streamKey().value();
                List<String> args = new ArrayList<>(Publishing.lowLatencyArgs(rtmps, 20));
                args.addAll(
                        args.size() - 1,
                        List.of("-tls_verify", "1", "-ca_file", ca.certificate().toString()));
                // Told to finish once the renewal is checked: a publisher cut off by it would have ended with an
                // error before then, which its exit code still shows.
                Publishing.Stoppable publisher = Publishing.startStoppable(args);

                // ffprobe verifies the playback certificate against the CA, and the playlist plays.
                String probed = Publishing.await(Duration.ofSeconds(40), () -> {
                    FfmpegTool.Result r = ffprobe(
                            "-tls_verify",
                            "1",
                            "-ca_file",
                            ca.certificate().toString(),
                            "-show_entries",
                            "stream=codec_name",
                            "-of",
                            "csv=p=0",
                            playbackUrl);
                    assertThat(r.exitCode()).as(r.stderr()).isZero();
                    assertThat(r.stdout()).contains("h264");
                    return r.stdout();
                });
                assertThat(probed).contains("aac");
                // Trusting another CA, the same verifying client refuses the certificate: the check above was real.
                FfmpegTool.Result untrusted = ffprobe(
                        "-tls_verify", "1", "-ca_file", other.certificate().toString(), playbackUrl);
                assertThat(untrusted.exitCode()).isNotZero();

                // Renewal: new files moved over the old ones, as certbot does; no restart.
                TestCa.Issued renewed = ca.issue("renewed", RENEWED.longValue(), TestCa.KeyFormat.RSA_PKCS1);
                replace(renewed.key(), key);
                replace(renewed.chain(), cert);
                for (int port : new int[] {server.apiPort(), server.playbackPort(), server.rtmpsPort()}) {
                    BigInteger serial = Publishing.await(Duration.ofSeconds(15), () -> {
                        BigInteger s = serialAt(ca, port);
                        return RENEWED.equals(s) ? s : null;
                    });
                    assertThat(serial).as("port " + port).isEqualTo(RENEWED);
                }
                // The API and playback still work on new connections with the renewed certificate.
                assertThat(ivs.getChannel(b -> b.arn(created.channel().arn()))
                                .channel()
                                .playbackUrl())
                        .isEqualTo(playbackUrl);
                FfmpegTool.Result again = ffprobe(
                        "-tls_verify",
                        "1",
                        "-ca_file",
                        ca.certificate().toString(),
                        "-show_entries",
                        "stream=codec_name",
                        "-of",
                        "csv=p=0",
                        playbackUrl);
                assertThat(again.exitCode()).as(again.stderr()).isZero();
                // The publisher that connected before the renewal was not cut off.
                FfmpegTool.Result published = publisher.stop();
                assertThat(published.exitCode()).as(published.stderr()).isZero();
            }
        }
    }

    @Test
    void aKeyThatIsNotTheCertificatesStopsTheStartNamingTheFlag(@TempDir Path dir) throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"));
        TestCa.Issued one = ca.issue("one", 1, TestCa.KeyFormat.RSA_PKCS8);
        TestCa.Issued two = ca.issue("two", 2, TestCa.KeyFormat.RSA_PKCS8);
        Path data = dir.resolve("data");
        assertThatThrownBy(() ->
                        new TestServer(data, TestDatabases.sqlite(data), new ServerConfig.Tls(one.chain(), two.key())))
                .isInstanceOf(StartupFailure.class)
                .hasMessageContaining("--tls-cert")
                .hasMessageContaining("does not belong");
    }

    private static BigInteger serialAt(TestCa ca, int port) {
        try {
            return ca.peerCertificate(port).getSerialNumber();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FfmpegTool.Result ffprobe(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "-hide_banner";
        all[1] = "-loglevel";
        all[2] = "error";
        System.arraycopy(args, 0, all, 3, args.length);
        try {
            return FfmpegTool.ffprobe(all);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void replace(Path from, Path to) throws IOException {
        Path tmp = to.resolveSibling(to.getFileName() + ".new");
        Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
