package io.openivs.server.playback.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GeoIP reader over a database written from the format spec: what policies see of a viewer. */
class MaxMindCountriesTest {
    @Test
    void resolvesNetworksOfTheDatabase(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("test.mmdb");
        new TestGeoDatabase()
                .network("127.0.0.0/8", "NZ")
                .network("192.0.2.0/24", "FR")
                .write(db);
        try (MaxMindCountries c = new MaxMindCountries(db)) {
            assertThat(c.describe()).isEqualTo("GeoLite2-Country");
            assertThat(c.country(InetAddress.getByName("127.0.0.1"))).isEqualTo("NZ");
            assertThat(c.country(InetAddress.getByName("127.200.3.4"))).isEqualTo("NZ");
            assertThat(c.country(InetAddress.getByName("192.0.2.77"))).isEqualTo("FR");
            assertThat(c.country(InetAddress.getByName("10.0.0.1"))).isNull();
        }
    }
}
