package io.openivs.client.protocol;

import java.util.List;
import java.util.Map;

/**
 * An HTTP request before it meets an endpoint, credentials or a clock.
 *
 * @param path     the percent-encoded path, starting with '/'
 * @param rawQuery the percent-encoded query without '?', or null
 * @param headers  header names as the protocol writes them; unmodifiable
 * @param body     the payload, or null for none
 */
public record WireRequest(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {

    public WireRequest {
        headers = Map.copyOf(headers);
    }

    /** The path with its query, for messages. */
    public String target() {
        return rawQuery == null ? path : path + "?" + rawQuery;
    }
}
