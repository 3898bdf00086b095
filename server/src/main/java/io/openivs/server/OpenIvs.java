package io.openivs.server;

import io.openivs.server.auth.CredentialStore;
import io.openivs.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * openivs embedded in another JVM, for a project's own tests: a whole node (control API, HLS playback,
 * RTMP(S) and SRT ingest) on free loopback ports, with one API key of its own, in a temporary data dir
 * removed on {@link #close()}. Point the AWS SDK at {@link #endpoint()} with {@link #accessKeyId()} and
 * {@link #secretAccessKey()}; publish to {@link #rtmpUrl(String)}.
 *
 * <pre>{@code
 * try (OpenIvs ivs = OpenIvs.start()) {
 *     IvsClient client = IvsClient.builder()
 *             .endpointOverride(ivs.endpoint())
 *             .region(Region.of(ivs.region()))
 *             .credentialsProvider(StaticCredentialsProvider.create(
 *                     AwsBasicCredentials.create(ivs.accessKeyId(), ivs.secretAccessKey())))
 *             .build();
 *     ...
 * }
 * }</pre>
 */
public final class OpenIvs implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final OpenIvsServer server;
    private final CredentialStore.Credential key;
    private final Path dataDir;
    private final boolean temporary;
    private final Duration shutdownGrace;

    private OpenIvs(
            OpenIvsServer server,
            CredentialStore.Credential key,
            Path dataDir,
            boolean temporary,
            Duration shutdownGrace) {
        this.server = server;
        this.key = key;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.shutdownGrace = shutdownGrace;
    }

    /** What an embedded node is started with; every setting has a default fit for tests. */
    public static final class Options {
        private Path dataDir;
        private String bind = "127.0.0.1";
        private String region = "us-west-2";
        private String accountId = "123456789012";
        private String accessKeyId;
        private String secretAccessKey;
        private String dbUrl;
        private ServerConfig.Quotas quotas = ServerConfig.Quotas.defaults();
        private boolean transcode;
        private int maxTranscodes = 1;
        private Duration shutdownGrace = Duration.ofSeconds(3);

        private Options() {}

        /** Loopback, free ports, us-west-2, account 123456789012, a generated key, SQLite in a temporary dir. */
        public static Options defaults() {
            return new Options();
        }

        /** Keep the data (SQLite database, events.jsonl, recordings) here instead of a temporary dir. */
        public Options dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** The address every listener binds to and URLs name (default 127.0.0.1). */
        public Options bind(String address) {
            this.bind = address;
            return this;
        }

        public Options region(String region) {
            this.region = region;
            return this;
        }

        /** The account of the API key, 12 digits. */
        public Options accountId(String accountId) {
            this.accountId = accountId;
            return this;
        }

        /** A fixed API key instead of a generated one. */
        public Options credentials(String accessKeyId, String secretAccessKey) {
            this.accessKeyId = accessKeyId;
            this.secretAccessKey = secretAccessKey;
            return this;
        }

        /** A JDBC URL of the store ({@code jdbc:postgresql://...}); default SQLite in the data dir. */
        public Options dbUrl(String url) {
            this.dbUrl = url;
            return this;
        }

        /** Service quotas other than IVS's (see {@link ServerConfig.Quotas#with}). */
        public Options quotas(ServerConfig.Quotas quotas) {
            this.quotas = quotas;
            return this;
        }

        /** Transcode STANDARD and ADVANCED channels with the bundled ffmpeg (default off: sources only, lighter). */
        public Options transcode(boolean on, int maxStreams) {
            this.transcode = on;
            this.maxTranscodes = maxStreams;
            return this;
        }

        /**
         * How long {@link OpenIvs#close()} gives live streams to end cleanly (default 3 s: a test's kept-alive
         * HTTP client counts as a viewer, for whom the last playlists are held up to half of it).
         */
        public Options shutdownGrace(Duration grace) {
            this.shutdownGrace = grace;
            return this;
        }
    }

    /** Starts a node with {@link Options#defaults()}. */
    public static OpenIvs start() {
        return start(Options.defaults());
    }

    /**
     * Starts a node; returns once every listener is up.
     *
     * @throws io.openivs.server.config.StartupFailure when it cannot start (the message says why)
     */
    public static OpenIvs start(Options options) {
        if (!options.accountId.matches("[0-9]{12}")) {
            throw new IllegalArgumentException("accountId must be 12 digits");
        }
        boolean temporary = options.dataDir == null;
        Path data;
        try {
            data = temporary ? Files.createTempDirectory("openivs-") : options.dataDir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CredentialStore.Credential key = new CredentialStore.Credential(
                options.accessKeyId != null
                        ? options.accessKeyId
                        : "AKIA" + random(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
                options.secretAccessKey != null
                        ? options.secretAccessKey
                        : random(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
                options.accountId);
        ServerConfig config = new ServerConfig(
                        options.bind,
                        options.bind,
                        0,
                        0,
                        0,
                        0,
                        0,
                        data.toAbsolutePath(),
                        options.dbUrl != null
                                ? options.dbUrl
                                : "jdbc:sqlite:" + data.toAbsolutePath().resolve("openivs.db"),
                        options.region,
                        options.quotas,
                        ServerConfig.RecordingStorage.EMBEDDED,
                        ServerConfig.PlaybackAccess.NONE)
                .withTranscoding(
                        options.transcode
                                ? new ServerConfig.Transcoding(true, options.maxTranscodes)
                                : ServerConfig.Transcoding.OFF);
        try {
            OpenIvsServer server =
                    OpenIvsServer.start(config, id -> key.accessKeyId().equals(id) ? key : null, List.of());
            return new OpenIvs(server, key, data, temporary, options.shutdownGrace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleteIfTemporary(data, temporary);
            throw new IllegalStateException("interrupted while starting openivs", e);
        } catch (RuntimeException e) {
            deleteIfTemporary(data, temporary);
            throw e;
        }
    }

    /** The control API: the AWS SDK's {@code endpointOverride}, the CLI's {@code --endpoint-url}. */
    public URI endpoint() {
        return URI.create(server.config().httpScheme() + "://" + server.config().bind() + ":" + server.apiPort());
    }

    public String region() {
        return server.config().region();
    }

    public String accessKeyId() {
        return key.accessKeyId();
    }

    public String secretAccessKey() {
        return key.secretKey();
    }

    public String accountId() {
        return key.accountId();
    }

    /** Where ffmpeg publishes a channel with {@code insecureIngest}: {@code rtmp://host:port/app/{streamKey}}. */
    public String rtmpUrl(String streamKey) {
        return "rtmp://" + server.config().ingestHost() + ":" + server.rtmpPort() + "/app/" + streamKey;
    }

    /** RTMPS, which every channel accepts (a self-signed certificate: ffmpeg does not verify it by default). */
    public String rtmpsUrl(String streamKey) {
        return "rtmps://" + server.config().ingestHost() + ":" + server.rtmpsPort() + "/app/" + streamKey;
    }

    /** SRT with the channel's {@code srt.passphrase} (MPEG-TS inside). */
    public String srtUrl(String streamKey, String passphrase) {
        return "srt://" + server.config().ingestHost() + ":" + server.srtPort() + "?streamid=" + streamKey
                + "&passphrase=" + passphrase;
    }

    public int apiPort() {
        return server.apiPort();
    }

    public int playbackPort() {
        return server.playbackPort();
    }

    /** The data dir: events.jsonl, the SQLite database and embedded recordings ({@code recordings/<bucket>/}). */
    public Path dataDir() {
        return dataDir;
    }

    /** The node itself, for what this class does not cover. */
    public OpenIvsServer server() {
        return server;
    }

    /** Stops the node (live streams end cleanly within the shutdown grace) and removes a temporary data dir. */
    @Override
    public void close() {
        server.close(shutdownGrace);
        deleteIfTemporary(dataDir, temporary);
    }

    private static void deleteIfTemporary(Path dir, boolean temporary) {
        if (!temporary) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Left for the OS's temporary-file cleanup.
        }
    }

    private static String random(int length, String alphabet) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
