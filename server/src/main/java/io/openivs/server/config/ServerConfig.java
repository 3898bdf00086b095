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
        Cluster cluster,
        String storeKey) {

    @Override
    public String toString() {
        // Never the store key or the cluster secret.
        return "ServerConfig[" + bind + ", " + publicHost + ", " + dataDir + ", " + region + ", " + cluster + "]";
    }

    /** As given, standing alone or in a cluster with an internal address derived from the bind address. */
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
                Cluster.DEFAULT,
                null);
    }

    /**
     * How nodes sharing a PostgreSQL database reach each other for edge playback.
     *
     * @param address the host:port other nodes reach this node's playback listener at (its internal endpoint
     *                lives there, under {@code /_cluster/}); null to derive it from {@code --bind} and the
     *                playback port (the host's address when bound to a wildcard)
     * @param secret  what nodes present to each other on that endpoint; null to use the one kept in the
     *                shared store (made by the first node that needs it)
     */
    public record Cluster(String address, String secret) {
        public static final Cluster DEFAULT = new Cluster(null, null);

        @Override
        public String toString() {
            return "Cluster[address=" + address + ", secret=" + (secret == null ? "from the store" : "***") + "]";
        }
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
    /**
     * @param announceOff with transcoding off, whether each STANDARD/ADVANCED session says so in a Stream Failure
     *                    event (an operator's {@code --no-transcode}); embedded and test servers, off by default
     *                    for their size, stay quiet
     */
    public record Transcoding(boolean enabled, int maxStreams, boolean announceOff) {
        /** An embedded or test server's default: off, without a word in every session. */
        public static final Transcoding OFF = new Transcoding(false, 0, false);

        /** An operator's choice: off is announced in each session. */
        public Transcoding(boolean enabled, int maxStreams) {
            this(enabled, maxStreams, !enabled);
        }
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
     * The service quotas openivs enforces, per account and region, each settable by {@code --quota NAME=N}
     * (IVS lets customers raise them). Defaults are IVS's (Amazon IVS User Guide, "Service Quotas"; see
     * docs/ivs-behavior.md): 3 playback key pairs and PutMetadata at 5 requests/s per channel and 155 per
     * account are stated there; 5,000 channels and 20 recording configurations and restriction policies are
     * unconfirmed, and 100 ad configurations is our choice. Going over a resource quota is
     * ServiceQuotaExceededException (402), over a rate ThrottlingException (429).
     */
    public record Quotas(
            int channels,
            int playbackKeyPairs,
            int recordingConfigurations,
            int playbackRestrictionPolicies,
            int adConfigurations,
            int putMetadataPerChannel,
            int putMetadataPerAccount) {

        /** The names {@code --quota} takes, in the order of the record's components. */
        public static final java.util.List<String> NAMES = java.util.List.of(
                "channels",
                "playback-key-pairs",
                "recording-configurations",
                "playback-restriction-policies",
                "ad-configurations",
                "put-metadata-per-channel",
                "put-metadata-per-account");

        /** The resource quotas as given, PutMetadata's rates at IVS's. */
        public Quotas(
                int channels,
                int playbackKeyPairs,
                int recordingConfigurations,
                int playbackRestrictionPolicies,
                int adConfigurations) {
            this(
                    channels,
                    playbackKeyPairs,
                    recordingConfigurations,
                    playbackRestrictionPolicies,
                    adConfigurations,
                    5,
                    155);
        }

        public static Quotas defaults() {
            return new Quotas(5000, 3, 20, 20, 100, 5, 155);
        }

        /** Every quota, by its {@link #NAMES name}. */
        public java.util.Map<String, Integer> asMap() {
            int[] v = {
                channels,
                playbackKeyPairs,
                recordingConfigurations,
                playbackRestrictionPolicies,
                adConfigurations,
                putMetadataPerChannel,
                putMetadataPerAccount
            };
            java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
            for (int i = 0; i < v.length; i++) {
                out.put(NAMES.get(i), v[i]);
            }
            return out;
        }

        /**
         * These quotas with {@code changes} ({@link #NAMES name} to value) applied.
         *
         * @throws IllegalArgumentException naming the quota and what is wrong, for an unknown name or a
         *                                  value below 1
         */
        public Quotas with(java.util.Map<String, Integer> changes) {
            java.util.Map<String, Integer> all = asMap();
            for (var c : changes.entrySet()) {
                String name = c.getKey().trim().toLowerCase(java.util.Locale.ROOT);
                if (!all.containsKey(name)) {
                    throw new IllegalArgumentException(
                            "--quota " + c.getKey() + ": no such quota; give one of " + String.join(", ", NAMES));
                }
                if (c.getValue() == null || c.getValue() < 1) {
                    throw new IllegalArgumentException(
                            "--quota " + name + "=" + c.getValue() + ": a quota is a whole number of at least 1");
                }
                all.put(name, c.getValue());
            }
            java.util.Iterator<Integer> v = all.values().iterator();
            return new Quotas(v.next(), v.next(), v.next(), v.next(), v.next(), v.next(), v.next());
        }
    }

    /** This configuration with the ports the listeners actually bound (they differ when 0 asked for any free one). */
    public ServerConfig withBoundPorts(int apiPort, int playbackPort, int rtmpPort, int rtmpsPort, int srtPort) {
        return copy(c -> {
            c.apiPort = apiPort;
            c.playbackPort = playbackPort;
            c.rtmpPort = rtmpPort;
            c.rtmpsPort = rtmpsPort;
            c.srtPort = srtPort;
        });
    }

    /** This configuration with the operator's certificate. */
    public ServerConfig withTls(Tls tls) {
        return copy(c -> c.tls = tls);
    }

    /** This configuration transcoding as {@code transcoding} says. */
    public ServerConfig withTranscoding(Transcoding transcoding) {
        return copy(c -> c.transcoding = transcoding);
    }

    /** This configuration with {@code /metrics} served or not. */
    public ServerConfig withMetrics(boolean metrics) {
        return copy(c -> c.metrics = metrics);
    }

    /** This configuration in a cluster as {@code cluster} says. */
    public ServerConfig withCluster(Cluster cluster) {
        return copy(c -> c.cluster = cluster);
    }

    /**
     * This configuration with the store key given (base64 of 32 bytes, as {@code --store-key} takes it); null
     * for the one in {@code <data-dir>/keys}.
     */
    public ServerConfig withStoreKey(String storeKey) {
        return copy(c -> c.storeKey = storeKey);
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

    /** This configuration with what {@code change} sets; the one place that lists every component again. */
    private ServerConfig copy(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return new ServerConfig(
                c.bind,
                c.publicHost,
                c.apiPort,
                c.playbackPort,
                c.rtmpPort,
                c.rtmpsPort,
                c.srtPort,
                c.dataDir,
                c.dbUrl,
                c.region,
                c.quotas,
                c.recording,
                c.playbackAccess,
                c.tls,
                c.metrics,
                c.transcoding,
                c.cluster,
                c.storeKey);
    }

    /** The components as fields, for {@link #copy}. */
    private static final class Copy {
        String bind;
        String publicHost;
        int apiPort;
        int playbackPort;
        int rtmpPort;
        int rtmpsPort;
        int srtPort;
        Path dataDir;
        String dbUrl;
        String region;
        Quotas quotas;
        RecordingStorage recording;
        PlaybackAccess playbackAccess;
        Tls tls;
        boolean metrics;
        Transcoding transcoding;
        Cluster cluster;
        String storeKey;

        Copy(ServerConfig s) {
            bind = s.bind;
            publicHost = s.publicHost;
            apiPort = s.apiPort;
            playbackPort = s.playbackPort;
            rtmpPort = s.rtmpPort;
            rtmpsPort = s.rtmpsPort;
            srtPort = s.srtPort;
            dataDir = s.dataDir;
            dbUrl = s.dbUrl;
            region = s.region;
            quotas = s.quotas;
            recording = s.recording;
            playbackAccess = s.playbackAccess;
            tls = s.tls;
            metrics = s.metrics;
            transcoding = s.transcoding;
            cluster = s.cluster;
            storeKey = s.storeKey;
        }
    }
}
