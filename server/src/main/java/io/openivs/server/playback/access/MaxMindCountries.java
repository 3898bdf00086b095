package io.openivs.server.playback.access;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.AbstractCountryResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Countries from a MaxMind GeoLite2/GeoIP2 Country or City database (.mmdb). The whole file is read
 * into memory at start, so a lookup on an event loop touches no disk.
 */
public final class MaxMindCountries implements CountryResolver, AutoCloseable {
    private final DatabaseReader reader;
    private final boolean city;

    public MaxMindCountries(Path database) throws IOException {
        this.reader = new DatabaseReader.Builder(database.toFile())
                .fileMode(Reader.FileMode.MEMORY)
                .withCache(new CHMCache())
                .build();
        // The reader refuses country() on a City database and the other way round.
        this.city = reader.getMetadata().getDatabaseType().contains("City");
    }

    /** The database's type, e.g. "GeoLite2-Country", for the start-up log. */
    public String describe() {
        return reader.getMetadata().getDatabaseType();
    }

    @Override
    public String country(InetAddress address) {
        try {
            Optional<? extends AbstractCountryResponse> r = city ? reader.tryCity(address) : reader.tryCountry(address);
            return r.map(c -> c.getCountry().getIsoCode()).orElse(null);
        } catch (IOException | GeoIp2Exception e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
