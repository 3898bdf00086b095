package io.openivs.client.transport;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a request again: on throttling (HTTP 429 or a ThrottlingException), on 5xx and on failures to
 * connect or read, never on any other 4xx, and at most {@link #maxAttempts()} times in all. The wait before
 * retry {@code n} is drawn uniformly from {@code [0, min(maxBackoff, baseDelay * 2^(n-1))]} ("full jitter"),
 * so clients that failed together do not come back together.
 */
public final class RetryPolicy {

    private static final RetryPolicy DEFAULTS = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(20));
    private static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxBackoff;

    private RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxBackoff) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("delays must not be negative");
        }
        this.maxAttempts = maxAttempts;
        this.baseDelay = baseDelay;
        this.maxBackoff = maxBackoff;
    }

    /** 3 attempts, 100 ms base delay, at most 20 s between attempts: the AWS SDKs' standard mode. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** One attempt only. */
    public static RetryPolicy none() {
        return NONE;
    }

    /**
     * @param maxAttempts attempts in all, the first included (1 = no retries)
     * @param baseDelay   the upper bound of the first wait; doubled for each further retry
     * @param maxBackoff  the cap on the upper bound of any wait
     */
    public static RetryPolicy of(int maxAttempts, Duration baseDelay, Duration maxBackoff) {
        return new RetryPolicy(
                maxAttempts,
                Objects.requireNonNull(baseDelay, "baseDelay"),
                Objects.requireNonNull(maxBackoff, "maxBackoff"));
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration baseDelay() {
        return baseDelay;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** Whether a response with this status and error code (null if none) is worth another attempt. */
    public static boolean retryable(int status, String errorCode) {
        return status == 429 || status >= 500 || "ThrottlingException".equals(errorCode);
    }

    /** The upper bound of the wait before retry {@code retry} (1 = the first retry). */
    public long ceilingMillis(int retry) {
        long cap = maxBackoff.toMillis();
        long base = baseDelay.toMillis();
        int shift = Math.min(retry - 1, 30);
        long ceiling = base > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : base << shift;
        return Math.min(cap, ceiling);
    }

    /** A wait drawn for retry {@code retry}, in milliseconds. */
    public long backoffMillis(int retry) {
        long ceiling = ceilingMillis(retry);
        return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", baseDelay=" + baseDelay + ", maxBackoff=" + maxBackoff
                + "]";
    }
}
