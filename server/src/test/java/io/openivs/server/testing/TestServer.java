package io.openivs.server.testing;

import io.openivs.server.OpenIvsServer;
import io.openivs.server.auth.CredentialStore;
import io.openivs.server.config.ServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ivs.IvsClient;

/**
 * An openivs node running in the test JVM on free ports, with two accounts,
 * and AWS SDK v2 clients pointed at it.
 */
public final class TestServer implements AutoCloseable {
    public static final String REGION = "us-west-2";
    public static final CredentialStore.Credential ALICE = new CredentialStore.Credential(
            "AKIAALICE0000000TEST", "alice-secret-key-0000000000000000000000", "111111111111");
    public static final CredentialStore.Credential BOB = new CredentialStore.Credential(
            "AKIABOB00000000TEST0", "bob-secret-key-000000000000000000000000", "222222222222");

    private final OpenIvsServer server;

    public TestServer(Path dataDir, String dbUrl) throws InterruptedException {
        this(dataDir, dbUrl, ServerConfig.Quotas.defaults());
    }

    public TestServer(Path dataDir, String dbUrl, ServerConfig.Quotas quotas) throws InterruptedException {
        this(dataDir, dbUrl, quotas, java.util.List.of());
    }

    public TestServer(
            Path dataDir,
            String dbUrl,
            ServerConfig.Quotas quotas,
            java.util.List<io.openivs.server.events.EventSink> sinks)
            throws InterruptedException {
        this(dataDir, dbUrl, quotas, sinks, ServerConfig.RecordingStorage.EMBEDDED, ServerConfig.PlaybackAccess.NONE);
    }

    /** @param recording where recordings go: an S3 endpoint, or the embedded folders */
    public TestServer(
            Path dataDir,
            String dbUrl,
            ServerConfig.Quotas quotas,
            java.util.List<io.openivs.server.events.EventSink> sinks,
            ServerConfig.RecordingStorage recording)
            throws InterruptedException {
        this(dataDir, dbUrl, quotas, sinks, recording, ServerConfig.PlaybackAccess.NONE);
    }

    /** With a GeoIP database and/or X-Forwarded-For trust for playback. */
    public TestServer(Path dataDir, String dbUrl, ServerConfig.PlaybackAccess access) throws InterruptedException {
        this(
                dataDir,
                dbUrl,
                ServerConfig.Quotas.defaults(),
                java.util.List.of(),
                ServerConfig.RecordingStorage.EMBEDDED,
                access);
    }

    /** With the operator's certificate: HTTPS playback and API, RTMPS with it. */
    public TestServer(Path dataDir, String dbUrl, ServerConfig.Tls tls) throws InterruptedException {
        this(dataDir, dbUrl, c -> c.withTls(tls));
    }

    /** Transcoding STANDARD and ADVANCED channels as {@code transcoding} says. */
    public TestServer(Path dataDir, String dbUrl, ServerConfig.Transcoding transcoding) throws InterruptedException {
        this(dataDir, dbUrl, c -> c.withTranscoding(transcoding));
    }

    /** Events to {@code sinks}, recordings to folders, the defaults as {@code adjust} changes them. */
    public TestServer(
            Path dataDir,
            String dbUrl,
            java.util.List<io.openivs.server.events.EventSink> sinks,
            java.util.function.UnaryOperator<ServerConfig> adjust)
            throws InterruptedException {
        this(
                dataDir,
                dbUrl,
                ServerConfig.Quotas.defaults(),
                sinks,
                ServerConfig.RecordingStorage.EMBEDDED,
                ServerConfig.PlaybackAccess.NONE,
                adjust);
    }

    /** With the defaults as {@code adjust} changes them. */
    public TestServer(Path dataDir, String dbUrl, java.util.function.UnaryOperator<ServerConfig> adjust)
            throws InterruptedException {
        this(
                dataDir,
                dbUrl,
                ServerConfig.Quotas.defaults(),
                java.util.List.of(),
                ServerConfig.RecordingStorage.EMBEDDED,
                ServerConfig.PlaybackAccess.NONE,
                adjust);
    }

    private TestServer(
            Path dataDir,
            String dbUrl,
            ServerConfig.Quotas quotas,
            java.util.List<io.openivs.server.events.EventSink> sinks,
            ServerConfig.RecordingStorage recording,
            ServerConfig.PlaybackAccess access)
            throws InterruptedException {
        this(dataDir, dbUrl, quotas, sinks, recording, access, c -> c);
    }

    private TestServer(
            Path dataDir,
            String dbUrl,
            ServerConfig.Quotas quotas,
            java.util.List<io.openivs.server.events.EventSink> sinks,
            ServerConfig.RecordingStorage recording,
            ServerConfig.PlaybackAccess access,
            java.util.function.UnaryOperator<ServerConfig> adjust)
            throws InterruptedException {
        ServerConfig cfg = adjust.apply(new ServerConfig(
                "127.0.0.1", "localhost", 0, 0, 0, 0, 0, dataDir, dbUrl, REGION, quotas, recording, access));
        Map<String, CredentialStore.Credential> keys = Map.of(ALICE.accessKeyId(), ALICE, BOB.accessKeyId(), BOB);
        this.server = OpenIvsServer.start(cfg, keys::get, sinks);
    }

    public OpenIvsServer server() {
        return server;
    }

    public URI endpoint() {
        return URI.create(server.config().httpScheme() + "://" + server.config().bind() + ":" + server.apiPort());
    }

    public IvsClient client(CredentialStore.Credential who) {
        return client(who, o -> {});
    }

    /** A client of this node's HTTPS API that trusts {@code trust} only (the host name is checked as well). */
    public IvsClient client(CredentialStore.Credential who, javax.net.ssl.TrustManager trust) {
        javax.net.ssl.TrustManager[] trusted = {trust};
        return IvsClient.builder()
                .endpointOverride(endpoint())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(who.accessKeyId(), who.secretKey())))
                .httpClient(UrlConnectionHttpClient.builder()
                        .tlsTrustManagersProvider(() -> trusted)
                        .build())
                .build();
    }

    /** A client whose configuration {@code override} changes, e.g. to turn retries off. */
    public IvsClient client(CredentialStore.Credential who, Consumer<ClientOverrideConfiguration.Builder> override) {
        return IvsClient.builder()
                .endpointOverride(endpoint())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(who.accessKeyId(), who.secretKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(override)
                .build();
    }

    /**
     * A short graceful stop: live streams still end cleanly, but the last playlists are held for viewers
     * (kept-alive test clients count as such) at most 1.5 s, not the command line's 5 s of a 10 s grace.
     * GracefulShutdownTest checks the full stop in a process of its own.
     */
    @Override
    public void close() {
        server.close(java.time.Duration.ofSeconds(3));
    }
}
