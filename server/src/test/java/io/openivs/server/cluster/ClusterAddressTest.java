package io.openivs.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.config.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The internal address other nodes dial: given, or the bind address, never a wildcard. */
class ClusterAddressTest {
    private static ServerConfig bound(String bind) {
        return new ServerConfig(
                bind,
                "lb.example",
                0,
                0,
                0,
                0,
                0,
                Path.of("."),
                "jdbc:sqlite:x",
                "us-west-2",
                ServerConfig.Quotas.defaults(),
                ServerConfig.RecordingStorage.EMBEDDED,
                ServerConfig.PlaybackAccess.NONE);
    }

    @Test
    void derivedFromBindAndPlaybackPortUnlessGiven() {
        assertThat(ClusterMembership.address(bound("10.0.0.5"), 8081)).isEqualTo("10.0.0.5:8081");
        assertThat(ClusterMembership.address(bound("::1"), 8081)).isEqualTo("[::1]:8081");
        String wildcard = ClusterMembership.address(bound("0.0.0.0"), 8081);
        assertThat(wildcard).endsWith(":8081").doesNotStartWith("0.0.0.0");
        assertThat(ClusterMembership.address(
                        bound("0.0.0.0").withCluster(new ServerConfig.Cluster("node1.internal:9081", null)), 8081))
                .isEqualTo("node1.internal:9081");
    }

    @Test
    void theSecretNeverShowsInTheConfiguration() {
        assertThat(new ServerConfig.Cluster(null, "hunter2").toString()).doesNotContain("hunter2");
        assertThat(bound("0.0.0.0")
                        .withCluster(new ServerConfig.Cluster(null, "hunter2"))
                        .toString())
                .doesNotContain("hunter2");
    }
}
