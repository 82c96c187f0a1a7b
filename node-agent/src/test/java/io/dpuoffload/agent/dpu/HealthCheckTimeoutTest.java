package io.dpuoffload.agent.dpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class HealthCheckTimeoutTest {
    @Test
    void aCheckThatNeverAnswersFailsWithinItsTimeout() {
        CountDownLatch never = new CountDownLatch(1);
        long start = System.nanoTime();
        assertThatThrownBy(() -> DaemonSupervisor.answerWithin(
                        () -> {
                            never.await();
                            return "unreachable";
                        },
                        Duration.ofMillis(200)))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("no answer within PT0.2S");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        never.countDown();
    }

    @Test
    void anAnswerAndAFailureComeThroughAsTheyAre() throws Exception {
        assertThat(DaemonSupervisor.answerWithin(() -> "1 running", Duration.ofSeconds(5)))
                .isEqualTo("1 running");
        assertThatThrownBy(() -> DaemonSupervisor.answerWithin(
                        () -> {
                            throw new IllegalStateException("libvirtd refused");
                        },
                        Duration.ofSeconds(5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("libvirtd refused");
    }
}
