package io.dpuoffload.intercept;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.Seccomp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which calls the filter sends, and which handler gets each: no kernel needed. */
class InterceptionsTest {
    /** No listener: answers to it fail quietly (EBADF), which these tests do not look at. */
    private static final int NO_LISTENER = -1;

    private final List<Object> handled = new ArrayList<>();
    private final ConnectHandler connects = handled::add;
    private final PidCallHandler pidCalls = handled::add;

    @Test
    void onlyKindsWithAHandlerAreInTheFilter() {
        assertThat(Interceptions.none().syscalls()).isEmpty();
        assertThat(Interceptions.none().withConnect(connects).syscalls()).containsExactly(Seccomp.NR_CONNECT);
        assertThat(Interceptions.none().withPidCalls(pidCalls).syscalls())
                .containsExactlyInAnyOrder(
                        Seccomp.NR_KILL, Seccomp.NR_TGKILL, Seccomp.NR_SCHED_SETAFFINITY, Seccomp.NR_SCHED_GETAFFINITY);
        assertThat(Interceptions.none()
                        .withPidCalls(pidCalls)
                        .withConnect(connects)
                        .syscalls())
                .hasSize(5);
    }

    @Test
    void eachCallGoesToTheHandlerOfItsKindWithItsArgumentsDecoded() {
        Interceptions both = Interceptions.none().withConnect(connects).withPidCalls(pidCalls);
        both.dispatch(call(Seccomp.NR_KILL, 4242, 15));
        both.dispatch(call(Seccomp.NR_TGKILL, 4242, 4243, 9));
        both.dispatch(call(Seccomp.NR_SCHED_GETAFFINITY, 4242, 128, 0x7000));
        both.dispatch(call(Seccomp.NR_CONNECT, 3, 0x1000, 110));
        assertThat(handled).hasSize(4);
        assertThat(handled.get(0)).isInstanceOfSatisfying(PidSyscall.Kill.class, kill -> {
            assertThat(kill.pid()).isEqualTo(4242);
            assertThat(kill.signal()).isEqualTo(15);
        });
        assertThat(handled.get(1)).isInstanceOfSatisfying(PidSyscall.ThreadKill.class, kill -> {
            assertThat(kill.tid()).isEqualTo(4243);
            assertThat(kill.signal()).isEqualTo(9);
        });
        assertThat(handled.get(2)).isInstanceOfSatisfying(PidSyscall.GetAffinity.class, get -> {
            assertThat(get.maskBytes()).isEqualTo(128);
            assertThat(get.maskAddress()).isEqualTo(0x7000);
        });
        assertThat(handled.get(3)).isInstanceOfSatisfying(ConnectCall.class, connect -> assertThat(connect.socketFd())
                .isEqualTo(3));
    }

    @Test
    void aCallOfAKindWithoutAHandlerReachesNoHandler() {
        Interceptions connectOnly = Interceptions.none().withConnect(connects);
        connectOnly.dispatch(call(Seccomp.NR_KILL, 4242, 15));
        assertThat(handled).isEmpty();
    }

    private static InterceptedCall call(int syscall, long... arguments) {
        long[] six = new long[6];
        System.arraycopy(arguments, 0, six, 0, arguments.length);
        return new InterceptedCall(NO_LISTENER, new Seccomp.Notification(1, 100, syscall, six));
    }
}
