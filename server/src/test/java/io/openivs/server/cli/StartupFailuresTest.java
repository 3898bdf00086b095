package io.openivs.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.Main;
import io.openivs.server.config.Credentials;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A start that cannot happen says so in one line naming the option, the value and what to do. */
class StartupFailuresTest {
    @TempDir
    Path dir;

    private record Run(int code, String err) {}

    private Run serve(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            CommandLine cl = new CommandLine(new Main());
            cl.setErr(new java.io.PrintWriter(System.err, true));
            String[] all = new String[args.length + 3];
            all[0] = "serve";
            all[1] = "--data-dir";
            all[2] = dir.toString();
            System.arraycopy(args, 0, all, 3, args.length);
            code = cl.execute(all);
        } finally {
            System.setErr(old);
        }
        return new Run(code, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBusyPortIsNamedWithItsOptionNotCalledACertificateProblem() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            Run r = serve("--api-port", "0", "--playback-port", "0", "--rtmp-port", "" + port, "--rtmps-port", "0");
            assertThat(r.code()).isNotZero();
            assertThat(r.err())
                    .contains("--rtmp-port " + port)
                    .contains("already in use")
                    .doesNotContain("certificate")
                    .doesNotContain("\tat ");
            assertThat(r.err().strip().lines()).hasSize(1);
        }
    }

    @Test
    void theSamePortTwiceIsRefusedBeforeBinding() {
        Run r = serve("--api-port", "0", "--playback-port", "0", "--rtmp-port", "45678", "--rtmps-port", "45678");
        assertThat(r.code()).isNotZero();
        assertThat(r.err())
                .contains("--rtmp-port and --rtmps-port are both 45678")
                .doesNotContain("\tat ");
    }

    @Test
    void aMissingCertificateFileIsOneLineNamingTheFlagAndTheFile() {
        Path missing = dir.resolve("fullchain.pem");
        Run r = serve(
                "--api-port",
                "0",
                "--playback-port",
                "0",
                "--rtmp-port",
                "0",
                "--rtmps-port",
                "0",
                "--srt-port",
                "0",
                "--tls-cert",
                missing.toString(),
                "--tls-key",
                dir.resolve("privkey.pem").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err())
                .contains("--tls-cert")
                .contains("no such file " + missing)
                .doesNotContain("\tat ");
        assertThat(r.err().strip().lines()).hasSize(1);

        Run alone = serve("--api-port", "0", "--tls-cert", missing.toString());
        assertThat(alone.code()).isNotZero();
        assertThat(alone.err()).contains("--tls-cert and --tls-key go together");
    }

    @Test
    void anUnreachableDatabaseIsOneLineWithoutThePassword() {
        Run r = serve(
                "--api-port",
                "0",
                "--playback-port",
                "0",
                "--rtmp-port",
                "0",
                "--rtmps-port",
                "0",
                "--db-url",
                "jdbc:postgresql://127.0.0.1:1/nothing?user=u&password=hunter2&connectTimeout=2");
        assertThat(r.code()).isNotZero();
        assertThat(r.err())
                .contains("--db-url")
                .contains("password=***")
                .doesNotContain("hunter2")
                .doesNotContain("\tat ");
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void aFailedFirstStartStillShowsTheGeneratedKeyNextTime() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = serve(
                    "--api-port",
                    "" + busy.getLocalPort(),
                    "--playback-port",
                    "0",
                    "--rtmp-port",
                    "0",
                    "--rtmps-port",
                    "0");
            assertThat(r.code()).isNotZero();
        }
        Credentials next = Credentials.load(dir, null, null, "123456789012");
        assertThat(next.generated())
                .as("the key the failed start generated is still to be shown")
                .isNotNull();
        next.shown();
        assertThat(Credentials.load(dir, null, null, "123456789012").generated())
                .isNull();
    }
}
