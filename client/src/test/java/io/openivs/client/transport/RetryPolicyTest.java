package io.openivs.client.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void theCeilingDoublesUpToTheCap() {
        RetryPolicy p = RetryPolicy.of(10, Duration.ofMillis(100), Duration.ofSeconds(1));
        assertThat(p.ceilingMillis(1)).isEqualTo(100);
        assertThat(p.ceilingMillis(2)).isEqualTo(200);
        assertThat(p.ceilingMillis(4)).isEqualTo(800);
        assertThat(p.ceilingMillis(5)).isEqualTo(1000);
        assertThat(p.ceilingMillis(200)).isEqualTo(1000);
    }

    @Test
    void waitsAreJitteredBelowTheCeiling() {
        RetryPolicy p = RetryPolicy.of(10, Duration.ofMillis(100), Duration.ofSeconds(1));
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long wait = p.backoffMillis(3);
            assertThat(wait).isBetween(0L, 400L);
            seen.add(wait);
        }
        assertThat(seen).hasSizeGreaterThan(20);
    }

    @Test
    void onlyThrottlingAndServerErrorsAreRetryable() {
        assertThat(RetryPolicy.retryable(500, null)).isTrue();
        assertThat(RetryPolicy.retryable(503, "ServiceUnavailable")).isTrue();
        assertThat(RetryPolicy.retryable(429, null)).isTrue();
        assertThat(RetryPolicy.retryable(400, "ThrottlingException")).isTrue();
        assertThat(RetryPolicy.retryable(400, "ValidationException")).isFalse();
        assertThat(RetryPolicy.retryable(402, "ServiceQuotaExceededException")).isFalse();
        assertThat(RetryPolicy.retryable(404, null)).isFalse();
        assertThat(RetryPolicy.retryable(409, "ConflictException")).isFalse();
    }

    @Test
    void atLeastOneAttempt() {
        assertThatThrownBy(() -> RetryPolicy.of(0, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    }
}
