package io.openivs.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * The packaged jar as a user runs it: acknowledged writes survive SIGKILL,
 * SIGTERM shuts down cleanly, and a first start with no keys generates and
 * prints one. Runs after {@code package} (failsafe), against target/openivs.jar,
 * started with {@code java -jar} and, for the first start, through the README's
 * launcher {@code bin/openivs} (so its JVM options must be ones this JDK accepts).
 */
class JarRestartIT {
    static final String AK = "AKIAJARTEST000000000";
    static final String SK = "jar-test-secret-000000000000000000000000";

    @TempDir
    Path dir;

    record Running(Process process, List<String> output, int apiPort) {}

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    Running start(boolean withKeys) throws Exception {
        return start(withKeys, false);
    }

    Running start(boolean withKeys, boolean launcher) throws Exception {
        String jar = System.getProperty("openivs.jar", "target/openivs.jar");
        assertThat(Path.of(jar)).exists();
        int api = freePort();
        List<String> cmd = new ArrayList<>(
                launcher
                        ? List.of(System.getProperty("openivs.launcher", "../bin/openivs"))
                        : List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java")
                                        .toString(),
                                "-jar",
                                jar));
        cmd.addAll(List.of(
                "serve",
                "--data-dir",
                dir.toString(),
                "--api-port",
                Integer.toString(api),
                "--playback-port",
                Integer.toString(freePort()),
                "--rtmp-port",
                Integer.toString(freePort()),
                "--rtmps-port",
                Integer.toString(freePort()),
                "--account-id",
                "111111111111"));
        if (withKeys) {
            cmd.addAll(List.of("--access-key", AK, "--secret-key", SK));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OPENIVS_JAR", jar);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.add(line);
                    if (line.contains("openivs: ready")) {
                        ready.complete(true);
                    }
                }
            } catch (Exception ignored) {
                // process ended
            }
            ready.complete(false);
        });
        reader.setDaemon(true);
        reader.start();
        assertThat(ready.get(60, TimeUnit.SECONDS)).as("server start: %s", out).isTrue();
        return new Running(p, out, api);
    }

    static IvsClient client(int port) {
        return IvsClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_WEST_2)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(AK, SK)))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @Test
    void resourcesSurviveSigkillAndSigtermIsClean() throws Exception {
        Running first = start(true);
        CreateChannelResponse ch;
        String rc;
        String policy;
        try (IvsClient ivs = client(first.apiPort())) {
            rc = ivs.createRecordingConfiguration(
                            b -> b.name("rec").destinationConfiguration(d -> d.s3(s -> s.bucketName("bucket-x"))))
                    .recordingConfiguration()
                    .arn();
            ch = ivs.createChannel(b -> b.name("durable").recordingConfigurationArn(rc));
            policy = ivs.createPlaybackRestrictionPolicy(b -> b.name("p"))
                    .playbackRestrictionPolicy()
                    .arn();
            ivs.tagResource(b -> b.resourceArn(ch.channel().arn()).tags(java.util.Map.of("k", "v")));
        }
        first.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(first.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(first.process().exitValue()).isEqualTo(137);

        Running second = start(true);
        try (IvsClient ivs = client(second.apiPort())) {
            var channel = ivs.getChannel(b -> b.arn(ch.channel().arn())).channel();
            assertThat(channel.name()).isEqualTo("durable");
            assertThat(channel.recordingConfigurationArn()).isEqualTo(rc);
            assertThat(channel.tags()).containsEntry("k", "v");
            assertThat(ivs.getStreamKey(b -> b.arn(ch.streamKey().arn()))
                            .streamKey()
                            .value())
                    .isEqualTo(ch.streamKey().value());
            assertThat(ivs.getPlaybackRestrictionPolicy(b -> b.arn(policy))
                            .playbackRestrictionPolicy()
                            .name())
                    .isEqualTo("p");
        }
        second.process().toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its stdout
        assertThat(second.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 50 && second.output().stream().noneMatch(l -> l.contains("shutting down")); i++) {
            Thread.sleep(100); // the reader thread may still be draining the pipe
        }
        assertThat(second.output()).anyMatch(l -> l.contains("shutting down"));
    }

    @Test
    void firstStartWithoutKeysGeneratesAndPrintsOne() throws Exception {
        Running r = start(false, true); // as the README starts it
        try {
            assertThat(r.output()).anyMatch(l -> l.startsWith("  export AWS_ACCESS_KEY_ID=AKIA"));
            assertThat(r.output()).anyMatch(l -> l.startsWith("  export AWS_SECRET_ACCESS_KEY="));
            assertThat(r.output()).anyMatch(l -> l.contains("listening: control API"));
            Path creds = dir.resolve("credentials");
            assertThat(Files.getPosixFilePermissions(creds))
                    .extracting(Object::toString)
                    .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        } finally {
            r.process().destroy();
            r.process().waitFor(20, TimeUnit.SECONDS);
        }
    }
}
