package io.openivs.server.control;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key token buckets (PutMetadata: 5 requests/s per channel, 155 per account). Kept in
 * memory: the limit protects this node's viewers, so per-node counting is
 * the useful one; across N nodes a channel can see at most N times the rate.
 */
final class TokenBuckets {
    private final double perSecond;
    private final double burst;
    private final ConcurrentHashMap<String, double[]> buckets = new ConcurrentHashMap<>();

    TokenBuckets(double perSecond, double burst) {
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** Takes one token for {@code key} at {@code nowNanos}; false when the bucket is empty. */
    boolean tryTake(String key, long nowNanos) {
        boolean[] ok = new boolean[1];
        buckets.compute(key, (k, b) -> {
            if (b == null) {
                b = new double[] {burst, nowNanos};
            }
            double refill = (nowNanos - (long) b[1]) / 1e9 * perSecond;
            b[0] = Math.min(burst, b[0] + refill);
            b[1] = nowNanos;
            if (b[0] >= 1) {
                b[0] -= 1;
                ok[0] = true;
            }
            return b;
        });
        if (buckets.size() > 100_000) {
            buckets.clear(); // bounded memory under a flood of distinct keys; limits restart generously
        }
        return ok[0];
    }
}
