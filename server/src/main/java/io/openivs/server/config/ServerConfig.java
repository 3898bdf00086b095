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
        Quotas quotas) {

    /** Account-level limits; defaults are IVS's (ivs-behavior.md §5). */
    public record Quotas(int channels, int playbackKeyPairs, int recordingConfigurations,
                         int playbackRestrictionPolicies, int adConfigurations) {
        public static Quotas defaults() {
            return new Quotas(5000, 3, 20, 20, 100);
        }
    }

    /** This configuration with the ports the listeners actually bound (they differ when 0 asked for any free one). */
    public ServerConfig withBoundPorts(int apiPort, int playbackPort, int rtmpPort, int rtmpsPort) {
        return new ServerConfig(bind, publicHost, apiPort, playbackPort, rtmpPort, rtmpsPort, dataDir, dbUrl, region, quotas);
    }

    /** The host name clients use in ingest and playback URLs. */
    public String ingestHost() {
        return publicHost;
    }

    public String playbackBase() {
        return "http://" + publicHost + ":" + playbackPort;
    }
}
