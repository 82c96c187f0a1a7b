package io.dpuoffload.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A blocking call made on a virtual thread runs on a platform thread (so it holds no carrier); one
 * made on a platform thread runs in place; what the call returns or throws reaches the caller as is.
 */
class BlockingCallsTest {
    @Test
    void aVirtualCallerWaitsWhileAPlatformThreadMakesTheCall() throws Exception {
        Thread[] ranOn = new Thread[1];
        Thread caller = Thread.ofVirtual().unstarted(() -> {
            int answer = BlockingCalls.call(() -> {
                ranOn[0] = Thread.currentThread();
                return 42;
            });
            assertThat(answer).isEqualTo(42);
        });
        caller.start();
        caller.join();
        assertThat(ranOn[0].isVirtual())
                .as("the thread the call ran on is virtual")
                .isFalse();
    }

    @Test
    void aPlatformCallerMakesTheCallItself() {
        Thread caller = Thread.currentThread();
        assertThat(BlockingCalls.call(Thread::currentThread)).isSameAs(caller);
    }

    @Test
    void theCallsFailureReachesTheVirtualCallerAsItIs() throws Exception {
        try (var virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Throwable> thrown = virtual.submit(() -> {
                try {
                    BlockingCalls.call(() -> {
                        throw new ErrnoException("waitid(P_PIDFD)", Errno.ECHILD);
                    });
                    return null;
                } catch (ErrnoException e) {
                    return e;
                }
            });
            assertThat(thrown.get()).isInstanceOf(ErrnoException.class).hasMessageContaining("waitid");
            assertThatThrownBy(() -> virtual.submit(() -> BlockingCalls.call(() -> {
                                throw new IllegalStateException("unchecked");
                            }))
                            .get())
                    .hasCauseInstanceOf(IllegalStateException.class);
        }
    }
}
