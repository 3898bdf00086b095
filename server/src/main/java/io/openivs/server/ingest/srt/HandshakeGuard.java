package io.openivs.server.ingest.srt;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What unauthenticated handshakes may cost the port, per source address: a handshake rate (a token bucket
 * in a fixed table of {@link #SLOTS}, indexed by a keyed hash of the address, so a flood from any number of
 * addresses costs no memory and a flooder cannot aim at a chosen caller's slot) and a cap on the
 * authorisations it may have in flight at once, so a few addresses cannot fill the port's
 * {@code maxPending}; and when many addresses have filled it anyway, a newcomer takes the oldest slot of the
 * address holding the most ({@link #evictFor}), so no number of addresses locks out everyone else. Event loop
 * only.
 */
final class HandshakeGuard {
    static final int SLOTS = 4096;

    private final double perSecond;
    private final double burst;
    private final int maxPendingPerAddress;
    private final int seed = ThreadLocalRandom.current().nextInt();
    private final double[] tokens = new double[SLOTS];
    private final long[] refilled = new long[SLOTS];
    /** Addresses with an authorisation in flight; at most the port's maxPending entries. */
    private final Map<InetAddress, ArrayDeque<Held>> pending = new HashMap<>();

    private long acquired;

    /**
     * @param perSecond handshake packets an address may send each second, on average
     * @param burst how many it may send at once (a caller's induction, conclusion and their retries fit)
     * @param maxPendingPerAddress authorisations one address may have in flight
     */
    HandshakeGuard(double perSecond, double burst, int maxPendingPerAddress) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxPendingPerAddress = maxPendingPerAddress;
        java.util.Arrays.fill(tokens, burst);
        java.util.Arrays.fill(refilled, System.nanoTime());
    }

    /** Takes one handshake packet from {@code address}'s budget; false when it has none left (drop the packet). */
    boolean allow(InetAddress address, long nowNanos) {
        int slot = slot(address);
        double t = Math.min(burst, tokens[slot] + (nowNanos - refilled[slot]) * perSecond / 1e9);
        refilled[slot] = nowNanos;
        if (t < 1) {
            tokens[slot] = t;
            return false;
        }
        tokens[slot] = t - 1;
        return true;
    }

    /** Whether {@code address} may start one more authorisation. */
    boolean mayAcquire(InetAddress address) {
        ArrayDeque<Held> held = pending.get(address);
        return held == null || held.size() < maxPendingPerAddress;
    }

    /** An authorisation for {@code address} starts, known by {@code key}; check {@link #mayAcquire} first. */
    void acquire(InetAddress address, Object key) {
        pending.computeIfAbsent(address, a -> new ArrayDeque<>(2)).addLast(new Held(key, acquired++));
    }

    /** The authorisation {@link #acquire acquired} as {@code key} for {@code address} ended. */
    void release(InetAddress address, Object key) {
        ArrayDeque<Held> held = pending.get(address);
        if (held != null && held.removeIf(h -> h.key.equals(key)) && held.isEmpty()) {
            pending.remove(address);
        }
    }

    /**
     * When every authorisation slot is taken: the one to give up for a newcomer from {@code newcomer}, the oldest
     * of the address holding the most, if that is more than the newcomer's address holds (so each address is
     * served its share, however many an attacker has), the longest held first among equals; null when the
     * newcomer's address already holds its share.
     */
    Object evictFor(InetAddress newcomer) {
        ArrayDeque<Held> own = pending.get(newcomer);
        int ownCount = own == null ? 0 : own.size();
        ArrayDeque<Held> most = null;
        for (ArrayDeque<Held> held : pending.values()) {
            if (most == null
                    || held.size() > most.size()
                    || (held.size() == most.size() && held.peekFirst().order < most.peekFirst().order)) {
                most = held;
            }
        }
        return most != null && most.size() > ownCount ? most.peekFirst().key : null;
    }

    /** Addresses with an authorisation in flight. */
    int addressesPending() {
        return pending.size();
    }

    /** An authorisation in flight, numbered in the order they started. */
    private record Held(Object key, long order) {}

    private int slot(InetAddress address) {
        int h = address.hashCode() ^ seed; // IPv4: the address itself; IPv6: a mix of its bytes
        h *= 0x9E37_79B9;
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
