package io.openivs.server.ingest.srt;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What unauthenticated handshakes may cost the port, per source address: a handshake rate (a token bucket
 * in a fixed table of {@link #SLOTS}, indexed by a keyed hash of the address, so a flood from any number of
 * addresses costs no memory and a flooder cannot aim at a chosen caller's slot) and a cap on the
 * authorisations it may have in flight at once, so a few addresses cannot fill the port's
 * {@code maxPending} and lock out everyone else. Event loop only.
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
    private final Map<InetAddress, Integer> pending = new HashMap<>();

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

    /** An authorisation for {@code address} starts, if it has room for one more. */
    boolean acquire(InetAddress address) {
        int n = pending.getOrDefault(address, 0);
        if (n >= maxPendingPerAddress) {
            return false;
        }
        pending.put(address, n + 1);
        return true;
    }

    /** An authorisation {@link #acquire acquired} for {@code address} ended. */
    void release(InetAddress address) {
        pending.computeIfPresent(address, (a, n) -> n > 1 ? n - 1 : null);
    }

    /** Addresses with an authorisation in flight. */
    int addressesPending() {
        return pending.size();
    }

    private int slot(InetAddress address) {
        int h = address.hashCode() ^ seed; // IPv4: the address itself; IPv6: a mix of its bytes
        h *= 0x9E37_79B9;
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
