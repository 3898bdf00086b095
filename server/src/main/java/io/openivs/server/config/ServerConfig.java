package io.openivs.server.config;

import java.nio.file.Path;

/**
 * Everything a running openivs needs to know, resolved from flags, their
 * OPENIVS_* environment twins and defaults (see {@code openivs serve --help}).
 */
public record ServerConfig(
        String bind,
        String publicHost,
        int apiPort,
        int playbackPort,
        int rtmpPort,
        int rtmpsPort,
        int srtPort,
        Path dataDir,
        String dbUrl,
        String region,
        Quotas quotas,
        RecordingStorage recording,
        PlaybackAccess playbackAccess,
        Tls tls,
        boolean metrics,
        Transcoding transcoding,
        String storeKey) {

    @Override
    public String toString() {
        return "ServerConfig[" + bind + ", " + publicHost + ", " + dataDir + ", " + region + "]"; // never the store key
    }

    /** As given, with the store key from {@code <data-dir>/keys} ({@link StoreKeyFile}). */
    public ServerConfig(
            String bind,
            String publicHost,
            int apiPort,
            int playbackPort,
            int rtmpPort,
            int rtmpsPort,
            int srtPort,
            Path dataDir,
            String dbUrl,
            String region,
            Quotas quotas,
            RecordingStorage recording,
            PlaybackAccess playbackAccess,
            Tls tls,
            boolean metrics,
            Transcoding transcoding) {
        this(
                bind,
                publicHost,
                apiPort,
                playbackPort,
                rtmpPort,
                rtmpsPort,
                srtPort,
                dataDir,
                dbUrl,
                region,
                quotas,
                recording,
                playbackAccess,
                tls,
                metrics,
                transcoding,
                null);
    }

    /**
     * Plain HTTP for playback and the API, the self-signed certificate for RTMPS, metrics served, no
     * transcoding (embedders and tests opt in; the command line turns it on by default, {@code --transcode}).
     */
    public ServerConfig(
            String bind,
            String publicHost,
            int apiPort,
            int playbackPort,
            int rtmpPort,
            int rtmpsPort,
            int srtPort,
            Path dataDir,
            String dbUrl,
            String region,
            Quotas quotas,
            RecordingStorage recording,
            PlaybackAccess playbackAccess) {
        this(
                bind,
                publicHost,
                apiPort,
                playbackPort,
                rtmpPort,
                rtmpsPort,
                srtPort,
                dataDir,
                dbUrl,
                region,
                quotas,
                recording,
                playbackAccess,
                Tls.NONE,
                true,
                Transcoding.OFF);
    }

    /** As given, without transcoding. */
    public ServerConfig(
            String bind,
            String publicHost,
            int apiPort,
            int playbackPort,
            int rtmpPort,
            int rtmpsPort,
            int srtPort,
            Path dataDir,
            String dbUrl,
            String region,
            Quotas quotas,
            RecordingStorage recording,
            PlaybackAccess playbackAccess,
            Tls tls,
            boolean metrics) {
        this(
                bind,
                publicHost,
                apiPort,
                playbackPort,
                rtmpPort,
                rtmpsPort,
                srtPort,
                dataDir,
                dbUrl,
                region,
                quotas,
                recording,
                playbackAccess,
                tls,
                metrics,
                Transcoding.OFF);
    }

    /**
     * Whether STANDARD and ADVANCED channels are transcoded into IVS's ladders, and how many streams at
     * once (each is an ffmpeg process decoding the source and encoding every rung); over the cap a
     * stream plays its source only.
     */
    public record Transcoding(boolean enabled, int maxStreams) {
        public static final Transcoding OFF = new Transcoding(false, 0);
    }

    /**
     * The operator's certificate for every TCP door: RTMPS, and HTTPS for playback and the API.
     *
     * @param certificateChain PEM, leaf first (certbot's fullchain.pem); null for none
     * @param privateKey       PEM, unencrypted PKCS#8, PKCS#1 or SEC1 (certbot's privkey.pem)
     * @param reloadCheck      how often the files' modification times are checked; a changed pair serves new
     *                         connections from then on
     */
    public record Tls(Path certificateChain, Path privateKey, java.time.Duration reloadCheck) {
        public static final Tls NONE = new Tls(null, null, java.time.Duration.ofSeconds(10));

        public Tls(Path certificateChain, Path privateKey) {
            this(certificateChain, privateKey, java.time.Duration.ofSeconds(10));
        }

        public boolean enabled() {
            return certificateChain != null;
        }
    }

    /**
     * Where recording configurations' buckets live.
     *
     * @param s3Endpoint any S3 API (path-style addressing); null for the embedded store, which keeps each
     *                   bucket as a folder under {@code <data-dir>/recordings} and serves it on the playback port
     * @param s3Region   signing region for the S3 API
     * @param accessKey  null to use the AWS SDK's default credential chain (AWS_ACCESS_KEY_ID, ...)
     */
    public record RecordingStorage(java.net.URI s3Endpoint, String s3Region, String accessKey, String secretKey) {
        public static final RecordingStorage EMBEDDED = new RecordingStorage(null, null, null, null);

        public boolean embedded() {
            return s3Endpoint == null;
        }

        @Override
        public String toString() {
            return embedded() ? "embedded" : "S3 at " + s3Endpoint; // never the secret
        }
    }

    /**
     * How playback finds a viewer's country.
     *
     * @param geoipDb           MaxMind GeoLite2/GeoIP2 Country or City database, or null (no countries known)
     * @param trustForwardedFor take the viewer's address from X-Forwarded-For's first entry; only behind
     *                          a proxy that sets it, or viewers could claim any address
     */
    public record PlaybackAccess(Path geoipDb, boolean trustForwardedFor) {
        public static final PlaybackAccess NONE = new PlaybackAccess(null, false);
    }

    /**
     * Account-level limits. Defaults: 3 playback key pairs, as the IVS User Guide's "Service Quotas" page
     * states; 5,000 channels and 20 recording configurations and restriction policies are unconfirmed
     * there, and 100 ad configurations is our choice.
     */
    public record Quotas(
            int channels,
            int playbackKeyPairs,
            int recordingConfigurations,
            int playbackRestrictionPolicies,
            int adConfigurations) {
        public static Quotas defaults() {
            return new Quotas(5000, 3, 20, 20, 100);
        }
    }

    /** This configuration with the ports the listeners actually bound (they differ when 0 asked for any free one). */
    public ServerConfig withBoundPorts(int apiPort, int playbackPort, int rtmpPort, int rtmpsPort, int srtPort) {
        return new ServerConfig(
                bind,
                publicHost,
                apiPort,
                playbackPort,
                rtmpPort,
                rtmpsPort,
                srtPort,
                dataDir,
                dbUrl,
                region,
                quotas,
                recording,
                playbackAccess,
                tls,
                metrics,
                transcoding,
                storeKey);
    }

    /** This configuration with the operator's certificate. */
    public ServerConfig withTls(Tls tls) {
        return new ServerConfig(
                bind,
                publicHost,
                apiPort,
                playbackPort,
                rtmpPort,
                rtmpsPort,
                srtPort,
                dataDir,
                dbUrl,
                region,
                quotas,
                recording,
                playbackAccess,
                tls,
                metrics,
                transcoding,
                storeKey);
    }

    /** This configuration with transcoding as given. */
    public ServerConfig withTranscoding(Transcoding transcoding) {
        return new ServerConfig(
                bind,
                publicHost,
                apiPort,
                playbackPort,
                rtmpPort,
                rtmpsPort,
                srtPort,
                dataDir,
                dbUrl,
                region,
                quotas,
                recording,
                playbackAccess,
                tls,
                metrics,
                transcoding,
                storeKey);
    }

    /**
     * This configuration with the store key given (base64 of 32 bytes, as {@code --store-key} takes it); null
     * for the one in {@code <data-dir>/keys}.
     */
    public ServerConfig withStoreKey(String storeKey) {
        return new ServerConfig(
                bind,
                publicHost,
                apiPort,
                playbackPort,
                rtmpPort,
                rtmpsPort,
                srtPort,
                dataDir,
                dbUrl,
                region,
                quotas,
                recording,
                playbackAccess,
                tls,
                metrics,
                transcoding,
                storeKey);
    }

    /** This configuration with /metrics served or not. */
    public ServerConfig withMetrics(boolean metrics) {
        return new ServerConfig(
                bind,
                publicHost,
                apiPort,
                playbackPort,
                rtmpPort,
                rtmpsPort,
                srtPort,
                dataDir,
                dbUrl,
                region,
                quotas,
                recording,
                playbackAccess,
                tls,
                metrics,
                transcoding,
                storeKey);
    }

    /** The scheme of the playback and API doors: https with the operator's certificate, http without. */
    public String httpScheme() {
        return tls.enabled() ? "https" : "http";
    }

    /** IVS's SRT port: {@code srt.endpoint} names only the host when the listener is on it. */
    public static final int SRT_DEFAULT_PORT = 9000;

    /** What a channel's {@code srt.endpoint} says: the host, and the port where it is not 9000. */
    public String srtEndpoint() {
        return srtPort == SRT_DEFAULT_PORT ? publicHost : publicHost + ":" + srtPort;
    }

    /** The host name clients use in ingest and playback URLs. */
    public String ingestHost() {
        return publicHost;
    }

    public String playbackBase() {
        return httpScheme() + "://" + publicHost + ":" + playbackPort;
    }
}
