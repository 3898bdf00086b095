package io.openivs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaging in the repository as an operator uses it: the systemd unit passes
 * {@code systemd-analyze verify} and its ExecStart, with its environment, runs the packaged jar to
 * ready and stops on SIGTERM with a status the unit counts as success; the Dockerfile builds and the
 * image runs (when a Docker daemon answers here; skipped otherwise).
 */
class PackagingIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path UNIT = REPO.resolve("packaging/systemd/openivs.service");
    static final String INSTALLED_LAUNCHER = "/opt/openivs/bin/openivs";

    @TempDir
    Path dir;

    @Test
    void theSystemdUnitVerifies() throws Exception {
        assumeTrue(onPath("systemd-analyze"), "systemd-analyze not installed");
        // verify checks that ExecStart's program exists: point it at this checkout's launcher.
        Path unit = dir.resolve("openivs.service");
        Files.writeString(
                unit,
                Files.readString(UNIT)
                        .replace(INSTALLED_LAUNCHER, REPO.resolve("bin/openivs").toString()));
        Result r = run(List.of("systemd-analyze", "verify", unit.toString()), Map.of(), 60);
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContain("Unknown", "ignoring");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theUnitsExecStartRunsTheJarAndStopsCleanlyOnSigterm() throws Exception {
        String jar = System.getProperty("openivs.jar", "target/openivs.jar");
        assertThat(Path.of(jar)).exists();
        List<String> unit = Files.readAllLines(UNIT);
        Map<String, String> env = new LinkedHashMap<>();
        List<String> command = null;
        List<String> success = new ArrayList<>(List.of("0"));
        for (String line : unit) {
            if (line.startsWith("Environment=")) {
                String kv = line.substring("Environment=".length());
                env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            } else if (line.startsWith("ExecStart=")) {
                command = new ArrayList<>(
                        List.of(line.substring("ExecStart=".length()).trim().split("\\s+")));
            } else if (line.startsWith("SuccessExitStatus=")) {
                success.addAll(List.of(
                        line.substring("SuccessExitStatus=".length()).trim().split("\\s+")));
            }
        }
        assertThat(command).isNotNull();
        assertThat(command.get(0)).isEqualTo(INSTALLED_LAUNCHER);
        command.set(0, REPO.resolve("bin/openivs").toString());
        // What systemd would provide: the state and cache directories, here under the test's folder.
        env.replaceAll(
                (k, v) -> v.replace("/var/lib/openivs", dir.resolve("state").toString())
                        .replace("/var/cache/openivs", dir.resolve("cache").toString()));
        env.put("OPENIVS_JAR", Path.of(jar).toAbsolutePath().toString());
        int api = freePort();
        env.put("OPENIVS_API_PORT", "" + api);
        env.put("OPENIVS_PLAYBACK_PORT", "" + freePort());
        env.put("OPENIVS_RTMP_PORT", "" + freePort());
        env.put("OPENIVS_RTMPS_PORT", "" + freePort());
        env.put("OPENIVS_SRT_PORT", "" + freePort());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Boolean> ready = follow(p, out);
        try {
            assertThat(ready.get(60, TimeUnit.SECONDS))
                    .as(String.join("\n", out))
                    .isTrue();
            HttpResponse<String> readyz = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api + "/readyz"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(readyz.statusCode()).isEqualTo(200);
            assertThat(dir.resolve("state/credentials")).exists();
            p.toHandle().destroy(); // what systemctl stop sends (KillSignal=SIGTERM)
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(success).as(String.join("\n", out)).contains(Integer.toString(p.exitValue()));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void theDockerfileBuildsAndTheImageRuns() throws Exception {
        assumeTrue(
                onPath("docker") && run(List.of("docker", "info"), Map.of(), 30).code() == 0, "no Docker daemon here");
        String tag = "openivs-packaging-it:" + ProcessHandle.current().pid();
        Result build = run(List.of("docker", "build", "-t", tag, REPO.toString()), Map.of(), 1800);
        assertThat(build.code()).as(build.output()).isZero();
        try {
            Result help = run(List.of("docker", "run", "--rm", tag, "serve", "--help"), Map.of(), 120);
            assertThat(help.code()).as(help.output()).isZero();
            assertThat(help.output()).contains("--shutdown-grace");
            Result user = run(List.of("docker", "run", "--rm", "--entrypoint", "id", tag, "-u"), Map.of(), 120);
            assertThat(user.output().trim()).isNotEqualTo("0");
        } finally {
            run(List.of("docker", "rmi", "-f", tag), Map.of(), 120);
        }
    }

    record Result(int code, String output) {}

    private static Result run(List<String> command, Map<String, String> env, int seconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out: " + command);
        }
        return new Result(p.exitValue(), output.join());
    }

    private static CompletableFuture<Boolean> follow(Process p, List<String> out) {
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
            } catch (IOException ignored) {
                // process ended
            }
            ready.complete(false);
        });
        reader.setDaemon(true);
        reader.start();
        return ready;
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
