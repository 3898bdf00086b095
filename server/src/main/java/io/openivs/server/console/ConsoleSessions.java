package io.openivs.server.console;

import io.openivs.server.auth.CredentialStore;
import io.openivs.server.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web console's signed-in browsers: a random 256-bit session id (the cookie's value) per sign-in with an
 * API key, valid {@link #LIFETIME_MS} and while its key still exists. Held by the SHA-256 of the id, so
 * neither a heap dump nor a timing difference in the map's lookup gives a usable id. Bounded: one key holds
 * at most {@link #MAX_PER_KEY} (its oldest is ended for a new one, so a script signing in over and over cannot
 * fill the table for everyone), and past {@link #MAX_SESSIONS} live ones a new sign-in is refused until some
 * expire. Thread-safe.
 */
final class ConsoleSessions {
    static final long LIFETIME_MS = 12 * 3600 * 1000L;
    static final int MAX_SESSIONS = 1000;
    static final int MAX_PER_KEY = 16;

    /** {@code opened}: sign-in order, which tells the oldest apart within one millisecond. */
    private record Session(String accessKeyId, String accountId, long expiresMillis, long opened) {}

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final CredentialStore credentials;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Sign-ins so far; written under this object's lock. */
    private long opened;

    ConsoleSessions(CredentialStore credentials, Clock clock) {
        this.credentials = credentials;
        this.clock = clock;
    }

    /** The access key's holder if {@code secret} is its secret (compared in constant time), else null. */
    Principal check(String accessKeyId, String secret) {
        CredentialStore.Credential c = accessKeyId == null ? null : credentials.find(accessKeyId);
        byte[] given = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
        byte[] expected = c == null ? new byte[0] : c.secretKey().getBytes(StandardCharsets.UTF_8);
        boolean same = MessageDigest.isEqual(given, expected);
        return c != null && same ? new Principal(c.accessKeyId(), c.accountId()) : null;
    }

    /** A new session's id for {@code who}, or null when too many are open. */
    synchronized String open(Principal who) {
        long now = clock.millis();
        endOldestBeyond(who.accessKeyId(), MAX_PER_KEY - 1);
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().removeIf(s -> s.expiresMillis() <= now);
            if (sessions.size() >= MAX_SESSIONS) {
                return null;
            }
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        sessions.put(hash(id), new Session(who.accessKeyId(), who.accountId(), now + LIFETIME_MS, ++opened));
        return id;
    }

    /** Ends {@code accessKeyId}'s oldest sessions until it holds at most {@code keep}. */
    private void endOldestBeyond(String accessKeyId, int keep) {
        while (true) {
            String oldest = null;
            long oldestOpened = Long.MAX_VALUE;
            int held = 0;
            for (var e : sessions.entrySet()) {
                if (e.getValue().accessKeyId().equals(accessKeyId)) {
                    held++;
                    if (e.getValue().opened() < oldestOpened) {
                        oldestOpened = e.getValue().opened();
                        oldest = e.getKey();
                    }
                }
            }
            if (held <= keep) {
                return;
            }
            sessions.remove(oldest);
        }
    }

    /** Who holds session {@code id}, or null when it is unknown, expired or its key was removed. */
    Principal find(String id) {
        if (id == null || id.length() != 43) {
            return null;
        }
        String key = hash(id);
        Session s = sessions.get(key);
        if (s == null) {
            return null;
        }
        if (s.expiresMillis() <= clock.millis() || credentials.find(s.accessKeyId()) == null) {
            sessions.remove(key);
            return null;
        }
        return new Principal(s.accessKeyId(), s.accountId());
    }

    void close(String id) {
        if (id != null) {
            sessions.remove(hash(id));
        }
    }

    private static String hash(String id) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
