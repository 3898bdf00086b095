package io.openivs.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ServiceQuotaExceededException;

/** Issue 16: the service quotas are the operator's to set, by {@code --quota NAME=N}, and enforced as given. */
class QuotaOptionsTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void quotasGivenOnTheCommandLineAreEnforced() throws Exception {
        // An options file (picocli's @file: one option or value per line, # comments) and a flag after it.
        Path options = dir.resolve("openivs.options");
        java.nio.file.Files.writeString(options, "# service quotas\n--quota\nchannels=2,recording-configurations=1\n");
        try (ChildServer server =
                        ChildServer.start(dir.resolve("data"), List.of("@" + options, "--quota", "channels=3"));
                IvsClient ivs = server.ivs()) {
            assertThat(server.output)
                    .contains("openivs: quotas channels=3 (IVS: 5000), recording-configurations=1 (IVS: 20)");
            for (int i = 0; i < 3; i++) {
                int n = i;
                ivs.createChannel(b -> b.name("c" + n));
            }
            assertThatThrownBy(() -> ivs.createChannel(b -> b.name("one-too-many")))
                    .isInstanceOf(ServiceQuotaExceededException.class)
                    .hasMessageContaining("(3)");
            ivs.createRecordingConfiguration(
                    b -> b.name("r1").destinationConfiguration(d -> d.s3(s -> s.bucketName("bucket-one"))));
            assertThatThrownBy(() -> ivs.createRecordingConfiguration(
                            b -> b.name("r2").destinationConfiguration(d -> d.s3(s -> s.bucketName("bucket-two")))))
                    .isInstanceOf(ServiceQuotaExceededException.class);
            // The other quotas keep IVS's defaults: three playback key pairs are not refused for being more than one.
        }
    }

    @Test
    void anUnknownQuotaOrANonPositiveValueIsOneLineNamingIt() {
        assertThat(serve("--quota", "chanels=10"))
                .contains("--quota chanels: no such quota; give one of channels, playback-key-pairs")
                .doesNotContain("\tat ");
        assertThat(serve("--quota", "channels=0"))
                .contains("--quota channels=0: a quota is a whole number of at least 1");
    }

    private String serve(String... args) {
        // Parameter errors go to System.err (picocli's handler prints to the failing command's own stream).
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = new CommandLine(new Main());
            cl.setErr(new PrintWriter(System.err, true));
            String[] all = new String[args.length + 3];
            all[0] = "serve";
            all[1] = "--data-dir";
            all[2] = dir.toString();
            System.arraycopy(args, 0, all, 3, args.length);
            assertThat(cl.execute(all)).isNotZero();
        } finally {
            System.setErr(old);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
