package io.openivs.server.playback;

import io.netty.handler.ssl.SslContext;

/**
 * What playback needs to serve in a cluster: the secret nodes present to each other's internal endpoint,
 * who owns which stream, and where edge viewers are counted.
 *
 * @param secret      the cluster secret (never logged)
 * @param owners      the owners of streams on other nodes
 * @param viewers     viewers of relayed streams, for the heartbeat to report
 * @param upstreamTls the client context for other nodes' playback ports when those serve HTTPS, else null
 * @param peerName    the name other nodes' certificates must show (the shared public host): sent as SNI and
 *                    checked against the certificate when {@code upstreamTls} is set
 */
public record PlaybackCluster(
        String secret, EdgeOwners owners, EdgeViewers viewers, SslContext upstreamTls, String peerName) {
    @Override
    public String toString() {
        return "PlaybackCluster[secret=***]";
    }
}
