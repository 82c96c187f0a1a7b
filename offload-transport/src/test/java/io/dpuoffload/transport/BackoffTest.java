package io.dpuoffload.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    @Test
    void ceilingDoublesUntilTheMaximum() {
        assertThat(backoff.ceiling(0)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(3)).isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.ceiling(7)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.ceiling(1_000)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void delaysAreJitteredWithinTheCeiling() {
        var delays = java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> backoff.delay(4))
                .toList();
        assertThat(delays).allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(1600)));
        assertThat(delays.stream().distinct().count())
                .as("jitter spreads reconnects")
                .isGreaterThan(100);
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("0 < initial <= max");
    }
}
