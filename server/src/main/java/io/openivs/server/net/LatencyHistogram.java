package io.openivs.server.net;

import java.util.concurrent.atomic.LongAdder;

/**
 * Latencies in fixed buckets (0.5 ms to 10 s), for the metrics scrape to read: an observation is a
 * scan of 14 bounds and two striped increments, no allocation and no lock, so the request paths
 * (playback segments above all) pay next to nothing. Buckets are Prometheus's classic ones.
 */
public final class LatencyHistogram {
    /** Upper bounds in seconds, the last one +Inf. */
    public static final double[] BOUNDS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Double.POSITIVE_INFINITY
    };

    private static final long[] BOUNDS_NANOS = new long[BOUNDS.length - 1];

    static {
        for (int i = 0; i < BOUNDS_NANOS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
        }
    }

    private final LongAdder[] counts = new LongAdder[BOUNDS.length];
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** Counts one latency, in nanoseconds. Any thread. */
    public void observe(long nanos) {
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        counts[i].increment();
        sumNanos.add(nanos);
    }

    /** Adds {@code other}'s observations to this one (a scrape's sum of two histograms). */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i].add(other.counts[i].sum());
        }
        sumNanos.add(other.sumNanos.sum());
    }

    /** Observations per bucket (not cumulative), in {@link #BOUNDS} order. */
    public long[] counts() {
        long[] out = new long[counts.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts[i].sum();
        }
        return out;
    }

    /** The sum of all observations, in seconds. */
    public double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }
}
