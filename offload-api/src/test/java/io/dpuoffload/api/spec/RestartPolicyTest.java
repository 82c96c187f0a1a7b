package io.dpuoffload.api.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    @Test
    void whichEndsStartADaemonAgain() {
        assertThat(RestartPolicy.ALWAYS.restartsAfter(0)).isTrue();
        assertThat(RestartPolicy.ALWAYS.restartsAfter(1)).isTrue();
        assertThat(RestartPolicy.ON_FAILURE.restartsAfter(0))
                .as("it chose to end")
                .isFalse();
        assertThat(RestartPolicy.ON_FAILURE.restartsAfter(1)).isTrue();
        assertThat(RestartPolicy.ON_FAILURE.restartsAfter(137)).as("killed").isTrue();
        assertThat(RestartPolicy.NEVER.restartsAfter(1)).isFalse();
        assertThat(RestartPolicy.ON_FAILURE).hasToString("on-failure");
    }
}
