package io.openivs.server.reliability;

import static io.openivs.server.testing.Publishing.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.Main;
import io.openivs.server.config.StartupFailure;
import io.openivs.server.store.StoreKey;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.StreamState;

/**
 * Issue 15, item 6: a copy of the database does not reveal stream keys (nor SRT passphrases or the playback
 * ticket secret). They are sealed with the store key ({@code <data-dir>/keys} or {@code --store-key}); the API
 * still returns them, ingest still finds a key by value, rows of an older openivs are sealed at start, and a
 * server given another key refuses to start in one line instead of refusing every publisher.
 */
@Tag("reliability")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StoreSecretsAtRestTest {
    @TempDir
    Path dir;

    /** Every text cell of the resources table and the store's other tables, as the database holds them. */
    private static String rawDump(String jdbcUrl) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                Statement s = c.createStatement()) {
            for (String table : List.of("resources", "stream_sessions", "store_key")) {
                try (ResultSet r = s.executeQuery("SELECT * FROM " + table)) {
                    int n = r.getMetaData().getColumnCount();
                    while (r.next()) {
                        for (int i = 1; i <= n; i++) {
                            all.append(r.getString(i)).append('\n');
                        }
                    }
                }
            }
        }
        return all.toString();
    }

    private static String sha256Hex(String s) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertSealed(String raw, String streamKey, String passphrase) throws Exception {
        assertThat(raw).as("raw database").doesNotContain(streamKey);
        assertThat(raw).as("raw database: an unkeyed digest of the key").doesNotContain(sha256Hex(streamKey));
        assertThat(raw).as("raw database: the SRT passphrase").doesNotContain(passphrase);
        assertThat(raw).as("sealed values are there").contains("sealed:v1:");
    }

    private static void publishes(TestServer node, IvsClient ivs, CreateChannelResponse ch) throws Exception {
        CompletableFuture<?> ffmpeg = Publishing.publish(
                "rtmp://127.0.0.1:" + node.server().rtmpPort() + "/app/"
                        + ch.streamKey().value(),
                20);
        try {
            await(
                    Duration.ofSeconds(60),
                    () -> ivs.getStream(b -> b.channelArn(ch.channel().arn())).stream()
                                            .state()
                                    == StreamState.LIVE
                            ? true
                            : null);
        } finally {
            ivs.stopStream(b -> b.channelArn(ch.channel().arn()));
            ffmpeg.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aStreamKeyIsSealedInTheDatabaseYetReturnedByTheApiAndAcceptedAtIngest() throws Exception {
        String url = TestDatabases.sqlite(dir);
        try (TestServer node = new TestServer(dir, url);
                IvsClient ivs = node.client(TestServer.ALICE)) {
            CreateChannelResponse ch = ivs.createChannel(b -> b.name("sealed").insecureIngest(true));
            String value = ch.streamKey().value();
            String passphrase = ivs.getChannel(b -> b.arn(ch.channel().arn()))
                    .channel()
                    .srt()
                    .passphrase();
            assertThat(ivs.getStreamKey(b -> b.arn(ch.streamKey().arn()))
                            .streamKey()
                            .value())
                    .isEqualTo(value);
            assertSealed(rawDump(url), value, passphrase);
            publishes(node, ivs, ch);
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("keys")))
                .as("the key file is the owner's alone")
                .containsExactlyInAnyOrder(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void plainKeysOfAnOlderDatabaseAreSealedAtStartAndStillPublish() throws Exception {
        String url = TestDatabases.sqlite(dir);
        CreateChannelResponse ch;
        try (TestServer node = new TestServer(dir, url);
                IvsClient ivs = node.client(TestServer.ALICE)) {
            ch = ivs.createChannel(b -> b.name("legacy").insecureIngest(true));
        }
        String value = ch.streamKey().value();
        String passphrase = ch.channel().srt().passphrase();
        // What openivs wrote before sealing: values in clear, SHA-256 of the key as its lookup, no key row.
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE resources SET doc = '{\"arn\":\""
                    + ch.streamKey().arn() + "\",\"value\":\""
                    + value + "\",\"channelArn\":\"" + ch.channel().arn() + "\",\"tags\":{}}', lookup = '"
                    + sha256Hex(value) + "' WHERE arn = '" + ch.streamKey().arn() + "'");
            String channelDoc;
            try (ResultSet r = s.executeQuery(
                    "SELECT doc FROM resources WHERE arn = '" + ch.channel().arn() + "'")) {
                r.next();
                channelDoc = r.getString(1);
            }
            String plainChannel = channelDoc.replaceAll(
                    "\"passphrase\":\"sealed:v1:[^\"]*\"", "\"passphrase\":\"" + passphrase + "\"");
            s.executeUpdate("UPDATE resources SET doc = '" + plainChannel + "' WHERE arn = '"
                    + ch.channel().arn() + "'");
            s.executeUpdate("DELETE FROM store_key");
        }
        assertThat(rawDump(url)).as("the legacy rows").contains(value).contains(passphrase);
        try (TestServer node = new TestServer(dir, url);
                IvsClient ivs = node.client(TestServer.ALICE)) {
            assertSealed(rawDump(url), value, passphrase);
            assertThat(ivs.getChannel(b -> b.arn(ch.channel().arn()))
                            .channel()
                            .srt()
                            .passphrase())
                    .isEqualTo(passphrase);
            assertThat(ivs.getStreamKey(b -> b.arn(ch.streamKey().arn()))
                            .streamKey()
                            .value())
                    .isEqualTo(value);
            publishes(node, ivs, ch);
        }
    }

    @Test
    void anotherKeyRefusesToStartInOneLine() throws Exception {
        String url = TestDatabases.sqlite(dir);
        try (TestServer node = new TestServer(dir, url);
                IvsClient ivs = node.client(TestServer.ALICE)) {
            ivs.createChannel(b -> b.name("sealed"));
        }
        String other = StoreKey.random().toBase64();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            CommandLine cl = new CommandLine(new Main());
            cl.setErr(new java.io.PrintWriter(System.err, true));
            code = cl.execute(
                    "serve",
                    "--data-dir",
                    dir.toString(),
                    "--store-key",
                    other,
                    "--api-port",
                    "0",
                    "--playback-port",
                    "0",
                    "--rtmp-port",
                    "0",
                    "--rtmps-port",
                    "0",
                    "--srt-port",
                    "0");
        } finally {
            System.setErr(old);
        }
        String out = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isNotZero();
        assertThat(out)
                .contains("--store-key")
                .contains("sealed with another store key")
                .doesNotContain(other)
                .doesNotContain("\tat ");
        assertThat(out.strip().lines()).hasSize(1);

        // A lost key file is the same mistake: a new key is made, and the database says it is not its own.
        Files.delete(dir.resolve("keys"));
        assertThatThrownBy(() -> new TestServer(dir, url).close())
                .isInstanceOf(StartupFailure.class)
                .hasMessageContaining("sealed with another store key");
    }

    @Test
    void onPostgresqlEveryNodeNeedsTheSameKey() throws Exception {
        String url = TestDatabases.postgres();
        List<AutoCloseable> open = new ArrayList<>();
        try {
            String key = StoreKey.random().toBase64();
            TestServer a = new TestServer(dir.resolve("a"), url, c -> c.withStoreKey(key));
            open.add(a);
            IvsClient ivs = a.client(TestServer.ALICE);
            open.add(ivs);
            CreateChannelResponse ch = ivs.createChannel(b -> b.name("pg").insecureIngest(true));
            String passphrase = ivs.getChannel(b -> b.arn(ch.channel().arn()))
                    .channel()
                    .srt()
                    .passphrase();
            assertSealed(rawDump(url), ch.streamKey().value(), passphrase);

            TestServer b = new TestServer(dir.resolve("b"), url, c -> c.withStoreKey(key));
            open.add(b);
            try (IvsClient ivsB = b.client(TestServer.ALICE)) {
                assertThat(ivsB.getStreamKey(r -> r.arn(ch.streamKey().arn()))
                                .streamKey()
                                .value())
                        .as("read on the other node")
                        .isEqualTo(ch.streamKey().value());
                publishes(b, ivsB, ch);
            }
            assertThatThrownBy(() -> new TestServer(dir.resolve("c"), url).close())
                    .as("a node with a key of its own")
                    .isInstanceOf(StartupFailure.class)
                    .hasMessageContaining("--store-key")
                    .hasMessageContaining("sealed with another store key")
                    .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
            TestDatabases.dropPostgres(url);
        }
    }
}
