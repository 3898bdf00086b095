package io.openivs.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: with {@code --log-format json} the API key a first start generates is no log line: the output
 * (every line a JSON object) names the key's ID and the credentials file, never the secret; a first start that
 * fails does not use up that notice; the key works for the API.
 */
class JsonKeyPrintTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void theGeneratedSecretStaysOutOfJsonLogsAndAFailedStartKeepsTheNotice() throws Exception {
        Path data = dir.resolve("data");
        List<String> failed;
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Child first = Child.start(data, busy.getLocalPort());
            assertThat(first.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(first.process.exitValue()).isNotZero();
            failed = first.lines();
        }
        String[] key = Files.readAllLines(data.resolve("credentials")).stream()
                .filter(l -> !l.startsWith("#") && !l.isBlank())
                .findFirst()
                .orElseThrow()
                .split(" ");
        String keyId = key[0];
        String secret = key[1];
        assertThat(failed).noneMatch(l -> l.contains(secret));
        assertThat(failed).anyMatch(l -> l.contains("--api-port"));

        Child second = Child.start(data, ChildServer.freePort());
        List<String> out;
        try {
            assertThat(second.awaitReady())
                    .as(String.join("\n", second.lines()))
                    .isTrue();
            out = second.lines();
        } finally {
            second.process.destroy();
            second.process.waitFor(30, TimeUnit.SECONDS);
        }
        for (String line : out) {
            assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
        }
        assertThat(out).noneMatch(l -> l.contains(secret));
        assertThat(out)
                .as("the notice names the key and where its secret is")
                .anyMatch(l -> l.contains("generated an API key")
                        && l.contains(keyId)
                        && l.contains(data.resolve("credentials").toString()));
        assertThat(out).anyMatch(l -> l.contains("/console/"));
    }

    /** {@code openivs serve --log-format json} in a JVM of its own, with no key given (the first-run path). */
    private record Child(Process process, List<String> out) {
        static Child start(Path data, int apiPort) throws Exception {
            List<String> cmd = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.openivs.server.Main",
                    "serve",
                    "--log-format",
                    "json",
                    "--data-dir",
                    data.toString(),
                    "--bind",
                    "127.0.0.1",
                    "--api-port",
                    Integer.toString(apiPort),
                    "--playback-port",
                    "0",
                    "--rtmp-port",
                    "0",
                    "--rtmps-port",
                    "0",
                    "--srt-port",
                    "0");
            Process p = new ProcessBuilder(cmd).start();
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            for (var stream : List.of(p.getInputStream(), p.getErrorStream())) {
                Thread t = new Thread(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            out.add(line);
                        }
                    } catch (Exception ignored) {
                        // the process ended
                    }
                });
                t.setDaemon(true);
                t.start();
            }
            return new Child(p, out);
        }

        /** Only stdout's lines count for "every line JSON": stderr holds nothing on a good start. */
        boolean awaitReady() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && process.isAlive()) {
                if (lines().stream().anyMatch(l -> l.contains("openivs: ready"))) {
                    return true;
                }
                Thread.sleep(200);
            }
            return false;
        }

        List<String> lines() {
            synchronized (out) {
                return new ArrayList<>(out);
            }
        }
    }
}
