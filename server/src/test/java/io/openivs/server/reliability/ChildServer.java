package io.openivs.server.reliability;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ivs.IvsClient;

/**
 * openivs in a JVM of its own (this test's classpath, {@code Main serve}), so a test can kill it
 * with SIGKILL mid-stream and start it again on the same data dir.
 */
final class ChildServer implements AutoCloseable {
    static final String AK = "AKIACRASHTEST0000000";
    static final String SK = "crash-test-secret-0000000000000000000000";

    final Process process;
    final Path dataDir;
    final List<String> output;
    final int api;
    final int rtmp;
    final int playback;

    private ChildServer(Process process, Path dataDir, List<String> output, int api, int rtmp, int playback) {
        this.process = process;
        this.dataDir = dataDir;
        this.output = output;
        this.api = api;
        this.rtmp = rtmp;
        this.playback = playback;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts and waits for "openivs: ready"; {@code extra} are more {@code serve} options. */
    static ChildServer start(Path dataDir, List<String> extra) throws Exception {
        return start(dataDir, extra, List.of());
    }

    /**
     * @param jvmOptions more options of the child's JVM ({@code -D...})
     */
    static ChildServer start(Path dataDir, List<String> extra, List<String> jvmOptions) throws Exception {
        // A port found free here can be taken before the child binds it (another test's child, or an
        // outgoing connection's ephemeral port): the child then refuses to start, and we try new ports.
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(dataDir, extra, jvmOptions);
            } catch (PortTaken e) {
                if (attempt == 3) {
                    throw new AssertionError(e.getMessage());
                }
            }
        }
    }

    /** The child said one of its ports was in use. */
    private static final class PortTaken extends Exception {
        PortTaken(String output) {
            super("server did not start: " + output);
        }
    }

    private static ChildServer startOnce(Path dataDir, List<String> extra, List<String> jvmOptions) throws Exception {
        int api = freePort();
        int rtmp = freePort();
        int playback = freePort();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                "io.openivs.server.Main",
                "serve",
                "--data-dir",
                dataDir.toString(),
                "--bind",
                "127.0.0.1",
                "--api-port",
                Integer.toString(api),
                "--playback-port",
                Integer.toString(playback),
                "--rtmp-port",
                Integer.toString(rtmp),
                "--rtmps-port",
                Integer.toString(freePort()),
                "--srt-port",
                Integer.toString(freePort()),
                "--account-id",
                "111111111111",
                "--access-key",
                AK,
                "--secret-key",
                SK));
        cmd.addAll(extra);
        long launched = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> out = Collections.synchronizedList(new ArrayList<>());
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
        if (!ready.get(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            String output = String.join("\n", out);
            if (output.contains("is already in use")) {
                throw new PortTaken(output);
            }
            throw new AssertionError("server did not start: " + output);
        }
        // In the test's output: what a cluster test spends waiting for its nodes (its JVMs start side by side).
        System.out.printf(
                "child openivs on %s ready in %.1f s%n", dataDir.getFileName(), (System.nanoTime() - launched) / 1e9);
        return new ChildServer(p, dataDir, out, api, rtmp, playback);
    }

    IvsClient ivs() {
        return IvsClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + api))
                .region(Region.US_WEST_2)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(AK, SK)))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    String rtmpUrl(String streamKey) {
        return "rtmp://127.0.0.1:" + rtmp + "/app/" + streamKey;
    }

    /** SIGKILL: no shutdown hook, nothing flushed that was not already written. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError("SIGKILL did not stop the server");
        }
    }

    /** SIGTERM and wait. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
