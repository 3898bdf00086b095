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
        Transcoding transcoding) {

    /**
     * The configuration without a say on transcoding, which is then off: embedders and tests opt in,
     * the command line turns it on by default ({@code --transcode}).
     */
    public ServerConfig(String bind, String publicHost, int apiPort, int playbackPort, int rtmpPort, int rtmpsPort,
                        int srtPort, Path dataDir, String dbUrl, String region, Quotas quotas, RecordingStorage recording,
                        PlaybackAccess playbackAccess) {
        this(bind, publicHost, apiPort, playbackPort, rtmpPort, rtmpsPort, srtPort, dataDir, dbUrl, region, quotas,
                recording, playbackAccess, Transcoding.OFF);
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
    public record Quotas(int channels, int playbackKeyPairs, int recordingConfigurations,
                         int playbackRestrictionPolicies, int adConfigurations) {
        public static Quotas defaults() {
            return new Quotas(5000, 3, 20, 20, 100);
        }
    }

    /** This configuration with the ports the listeners actually bound (they differ when 0 asked for any free one). */
    public ServerConfig withBoundPorts(int apiPort, int playbackPort, int rtmpPort, int rtmpsPort, int srtPort) {
        return new ServerConfig(bind, publicHost, apiPort, playbackPort, rtmpPort, rtmpsPort, srtPort, dataDir, dbUrl,
                region, quotas, recording, playbackAccess, transcoding);
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
        return "http://" + publicHost + ":" + playbackPort;
    }
}
