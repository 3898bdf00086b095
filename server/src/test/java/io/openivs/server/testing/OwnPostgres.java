package io.openivs.server.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL cluster of a test's own (initdb and pg_ctl from the PATH, a data dir under a temp dir,
 * a free port on loopback, trust authentication), which the test may stop and start at will while the
 * machine's shared server on 5432 stays untouched. As root, the server runs as the {@code postgres}
 * user, since PostgreSQL refuses to run as root. Skips the test (an assumption) when initdb is absent.
 */
public final class OwnPostgres implements AutoCloseable {
    private final Path base;
    private final Path data;
    private final Path log;
    private final int port;
    private final String pgCtl;
    private final boolean asPostgresUser;

    private OwnPostgres(Path base, int port, String initdb, String pgCtl, boolean asPostgresUser) throws Exception {
        this.base = base;
        this.data = base.resolve("data");
        this.log = base.resolve("postgres.log");
        this.port = port;
        this.pgCtl = pgCtl;
        this.asPostgresUser = asPostgresUser;
        run(List.of(initdb, "-D", data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"));
    }

    /** initdb a new cluster and start it. */
    public static OwnPostgres start() throws Exception {
        String initdb = onPath("initdb");
        String pgCtl = onPath("pg_ctl");
        Assumptions.assumeTrue(initdb != null && pgCtl != null, "initdb/pg_ctl not on the PATH");
        boolean root = "root".equals(System.getProperty("user.name"));
        Path base = Files.createTempDirectory("openivs-own-pg");
        if (root) {
            // The postgres user must reach and own its files.
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            UserPrincipal postgres =
                    base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(base, postgres);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        OwnPostgres pg = new OwnPostgres(base, port, initdb, pgCtl, root);
        pg.startServer();
        return pg;
    }

    private static String onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** The JDBC URL of its {@code postgres} database. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** pg_ctl start, waiting until it accepts connections; TCP on loopback only, no Unix socket. */
    public void startServer() throws Exception {
        run(List.of(
                pgCtl,
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                data.toString(),
                "-l",
                log.toString(),
                "-o",
                "-c listen_addresses=127.0.0.1 -p " + port + " -c unix_socket_directories='' -c fsync=off"));
    }

    /** pg_ctl stop -m immediate: every backend dies at once, as in a crash; recovery runs at the next start. */
    public void stopImmediately() throws Exception {
        run(List.of(pgCtl, "stop", "-w", "-m", "immediate", "-D", data.toString()));
    }

    private void run(List<String> command) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd)
                .directory(base.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out + serverLog());
        }
    }

    private String serverLog() {
        try {
            return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            run(List.of(pgCtl, "stop", "-w", "-m", "immediate", "-D", data.toString()));
        } catch (Exception ignored) {
            // already stopped
        }
        try (Stream<Path> all = Files.walk(base)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir
        }
    }
}
