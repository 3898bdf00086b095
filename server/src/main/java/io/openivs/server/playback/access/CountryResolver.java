package io.openivs.server.playback.access;

import java.net.InetAddress;

/** Where a viewer is: the ISO 3166-1 alpha-2 country of an address, for policies' allowedCountries. */
@FunctionalInterface
public interface CountryResolver {
    /** Knows nowhere: only policies allowing every country ("*" or none listed) let viewers through. */
    CountryResolver NONE = address -> null;

    /** The country code, or null when unknown. Called on event loops: must not block. */
    String country(InetAddress address);
}
