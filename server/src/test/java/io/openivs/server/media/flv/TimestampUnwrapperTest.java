package io.openivs.server.media.flv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimestampUnwrapperTest {

    private static final long WRAP = 1L << 32;

    @Test
    void continuesPastThe32BitWrap() {
        TimestampUnwrapper u = new TimestampUnwrapper();
        assertThat(u.unwrap(WRAP - 40)).isEqualTo(WRAP - 40);
        assertThat(u.unwrap(WRAP - 7)).isEqualTo(WRAP - 7);
        assertThat(u.unwrap(26)).isEqualTo(WRAP + 26);
        assertThat(u.unwrap(60)).isEqualTo(WRAP + 60);
    }

    @Test
    void smallBackwardStepsAcrossTheWrapStayBehind() {
        // Audio a little behind video while video has already wrapped.
        TimestampUnwrapper u = new TimestampUnwrapper();
        u.unwrap(WRAP - 100);
        assertThat(u.unwrap(10)).isEqualTo(WRAP + 10);
        assertThat(u.unwrap(WRAP - 20)).isEqualTo(WRAP - 20);
        assertThat(u.unwrap(30)).isEqualTo(WRAP + 30);
    }

    @Test
    void secondWrapAddsAnother2To32() {
        TimestampUnwrapper u = new TimestampUnwrapper();
        long t = 0;
        for (int i = 0; i < 5; i++) {
            t += WRAP / 4;
            assertThat(u.unwrap(t)).isEqualTo(t);
        }
        assertThat(u.unwrap(t + 1)).isEqualTo(WRAP + WRAP / 4 + 1);
    }

    @Test
    void onlyTheLow32BitsCount() {
        TimestampUnwrapper u = new TimestampUnwrapper();
        assertThat(u.unwrap(WRAP + 5)).isEqualTo(5);
    }
}
