package io.dpuoffload.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The parts that need no root: refusals before any system call. */
class ThreadCredentialsTest {
    @Test
    void refusesVirtualThreadsAndSaysWhy() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean ran = new AtomicBoolean();
        Thread.ofVirtual()
                .start(() -> {
                    try {
                        ThreadCredentials.callAs(1000, 1000, new int[0], () -> {
                            ran.set(true);
                            return null;
                        });
                    } catch (Throwable t) {
                        thrown.set(t);
                    }
                })
                .join();
        assertThat(ran).isFalse();
        assertThat(thrown.get())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("virtual thread")
                .hasMessageContaining("carrier");
    }

    @Test
    void refusesTheUnchangedId() {
        assertThatThrownBy(() -> ThreadCredentials.callAs(-1, 0, new int[0], () -> null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
