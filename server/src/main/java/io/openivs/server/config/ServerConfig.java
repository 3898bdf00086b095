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
        Path dataDir,
        String dbUrl,
        String region,
        Quotas quotas,
        PlaybackAccess playbackAccess) {

    /** Without GeoIP and forwarded-for trust: only "*" country policies pass. */
    public ServerConfig(String bind, String publicHost, int apiPort, int playbackPort, int rtmpPort, int rtmpsPort,
                        Path dataDir, String dbUrl, String region, Quotas quotas) {
        this(bind, publicHost, apiPort, playbackPort, rtmpPort, rtmpsPort, dataDir, dbUrl, region, quotas,
                PlaybackAccess.NONE);
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

    public ServerConfig withPlaybackAccess(PlaybackAccess access) {
        return new ServerConfig(bind, publicHost, apiPort, playbackPort, rtmpPort, rtmpsPort, dataDir, dbUrl, region,
                quotas, access);
    }

    /** Account-level limits; defaults are IVS's (ivs-behavior.md §5). */
    public record Quotas(int channels, int playbackKeyPairs, int recordingConfigurations,
                         int playbackRestrictionPolicies, int adConfigurations) {
        public static Quotas defaults() {
            return new Quotas(5000, 3, 20, 20, 100);
        }
    }

    /** This configuration with the ports the listeners actually bound (they differ when 0 asked for any free one). */
    public ServerConfig withBoundPorts(int apiPort, int playbackPort, int rtmpPort, int rtmpsPort) {
        return new ServerConfig(bind, publicHost, apiPort, playbackPort, rtmpPort, rtmpsPort, dataDir, dbUrl, region, quotas,
                playbackAccess);
    }

    /** The host name clients use in ingest and playback URLs. */
    public String ingestHost() {
        return publicHost;
    }

    public String playbackBase() {
        return "http://" + publicHost + ":" + playbackPort;
    }
}
