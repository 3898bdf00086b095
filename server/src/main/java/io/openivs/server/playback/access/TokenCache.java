package io.openivs.server.playback.access;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens whose signature was verified, by token text, so a viewer's segment requests cost a map
 * lookup instead of an ECDSA verification each. Only the signature result is cached: expiry, the key
 * pair still existing, revocation and origin are checked on every request from the snapshots.
 * Bounded: when full, expired entries go, and if that is not enough, everything (re-verifying is
 * merely slower).
 */
final class TokenCache {
    /** A token and the key pair whose key verified it. */
    record Verified(PlaybackToken token, String keyArn) {}

    private final int capacity;
    private final ConcurrentHashMap<String, Verified> map = new ConcurrentHashMap<>();

    TokenCache(int capacity) {
        this.capacity = capacity;
    }

    Verified get(String token) {
        return map.get(token);
    }

    void put(String text, Verified v, long nowSeconds) {
        if (map.size() >= capacity) {
            map.values().removeIf(e -> e.token().expSeconds() + PlaybackGate.CHILD_GRACE_SECONDS < nowSeconds);
            if (map.size() >= capacity) {
                map.clear();
            }
        }
        map.put(text, v);
    }

    int size() {
        return map.size();
    }
}
