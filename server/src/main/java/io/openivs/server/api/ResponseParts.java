package io.openivs.server.api;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Per-response values made cheaply: request IDs and the Date header. */
final class ResponseParts {
    private static volatile CachedDate date = new CachedDate(0, "");

    private record CachedDate(long second, String text) {}

    private ResponseParts() {}

    /**
     * A random (version 4) UUID from the thread's generator. A request ID only has to be unique for support and
     * logs, not unguessable, so it need not pay for (and contend on) the shared SecureRandom.
     */
    static String requestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(hi, lo).toString();
    }

    /** The HTTP Date header value, formatted once per second. */
    static String httpDate() {
        long now = System.currentTimeMillis();
        long second = now / 1000;
        CachedDate d = date;
        if (d.second != second) {
            d = new CachedDate(second, DateFormatter.format(new Date(second * 1000)));
            date = d;
        }
        return d.text;
    }
}
