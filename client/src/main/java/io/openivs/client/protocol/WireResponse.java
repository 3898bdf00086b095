package io.openivs.client.protocol;

import java.net.http.HttpHeaders;

/**
 * An HTTP response as received.
 *
 * @param headers case-insensitive, as {@link HttpHeaders} looks them up
 * @param body    the payload; empty, never null
 */
public record WireResponse(int status, HttpHeaders headers, byte[] body) {

    public boolean successful() {
        return status >= 200 && status < 300;
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        return headers.firstValue(name).orElse(null);
    }
}
